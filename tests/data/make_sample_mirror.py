#!/usr/bin/env python3
"""Write the small sample mirror in `tests/data/mirror/` (hub layout, for `--data-dir`).

Every row below was written by the stdata team for tests and demos (licence CC0-1.0); none is taken
from the datasets whose layout it copies. For each task of the registry, the first source that lists
en, de or sw (plus et for xcopa, ja for xwinograd and es for headline, whose first source for es is
XL-Sum) gets a few rows in exactly that dataset's real
layout: the hub id as the folder, the dataset's own config, split and column names and types
(ClassLabel with the real names where the dataset has one), so that

    stdata build --langs 25 --data-dir tests/data/mirror --out corpus

runs the whole build offline. The layout is the one `stdata sources download` writes:
`<org>/<name>/<config>/<split>-00000-of-00001.parquet` plus a README.md whose YAML front matter
(`configs:`, `dataset_info:`) lets `datasets.load_dataset` find every config offline.

Deterministic: re-running it gives byte-identical files (tests/test_sample_mirror.py checks that
the committed mirror is what this script writes). Usage:

    .venv/bin/python tests/data/make_sample_mirror.py [OUT_DIR]   # default: tests/data/mirror
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

import yaml

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import datasets  # noqa: E402
from datasets import ClassLabel, Features, List, Value  # noqa: E402

datasets.disable_progress_bars()

#: The parquet bytes carry the writer's version (`created_by`), so byte-identical output needs these
#: versions; tests/test_sample_mirror.py compares parquet files by content under any others.
WRITTEN_WITH = {"datasets": "5.2.0", "pyarrow": "26.0.1"}

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "mirror"
LICENCE = "cc0-1.0"
S = Value("string")

#: dataset id -> licence of the real dataset (named in the README, not ours)
REAL_LICENCE: dict[str, str] = {}
#: dataset id -> config -> split -> (rows, features)
TABLES: dict[str, dict[str, dict[str, tuple[list[dict[str, Any]], Features]]]] = {}


def add(dataset: str, real_licence: str, config: str, split: str, rows: list[dict[str, Any]], features: Features) -> None:
    REAL_LICENCE[dataset] = real_licence
    TABLES.setdefault(dataset, {}).setdefault(config, {})[split] = (rows, features)


def _id(*parts: str, n: int = 24) -> str:
    """A stable hex id made from the row's own text (XQuAD-style ids)."""
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:n]


# ---------------------------------------------------------------------------------------------
# topic: Davlan/sib200 (FLORES-style sentences; category is a plain string; all three splits,
# because the task reads split train+validation+test). Rows are parallel across languages.
# ---------------------------------------------------------------------------------------------

SIB = {
    "train": [
        ("science/technology",
         "The new telescope can detect light from galaxies that formed shortly after the Big Bang.",
         "Das neue Teleskop kann Licht von Galaxien erfassen, die kurz nach dem Urknall entstanden sind.",
         "Darubini hiyo mpya inaweza kunasa mwanga kutoka kwa galaksi zilizoundwa muda mfupi baada ya Mlipuko Mkuu."),
        ("travel",
         "Visitors should carry cash, because many small shops in the mountain villages do not accept cards.",
         "Besucher sollten Bargeld mitnehmen, da viele kleine Läden in den Bergdörfern keine Karten akzeptieren.",
         "Wageni wanapaswa kubeba pesa taslimu, kwa sababu maduka mengi madogo katika vijiji vya milimani hayakubali kadi."),
        ("politics",
         "The parliament approved the new budget after a debate that lasted until late at night.",
         "Das Parlament verabschiedete den neuen Haushalt nach einer Debatte, die bis spät in die Nacht dauerte.",
         "Bunge liliidhinisha bajeti mpya baada ya mjadala uliodumu hadi usiku wa manane."),
        ("sports",
         "The young swimmer broke the national record twice during the championship.",
         "Die junge Schwimmerin brach während der Meisterschaft zweimal den Landesrekord.",
         "Mwogeleaji huyo kijana alivunja rekodi ya taifa mara mbili wakati wa mashindano."),
        ("health",
         "Doctors recommend washing hands with soap to reduce the spread of infections.",
         "Ärzte empfehlen, die Hände mit Seife zu waschen, um die Ausbreitung von Infektionen zu verringern.",
         "Madaktari wanashauri kunawa mikono kwa sabuni ili kupunguza kuenea kwa maambukizi."),
        ("entertainment",
         "The festival's opening film was greeted with a standing ovation.",
         "Der Eröffnungsfilm des Festivals wurde mit stehenden Ovationen begrüßt.",
         "Filamu ya ufunguzi wa tamasha hilo ilipokelewa kwa makofi huku watazamaji wakiwa wamesimama."),
        ("geography",
         "The river forms a wide delta before it flows into the sea.",
         "Der Fluss bildet ein breites Delta, bevor er ins Meer mündet.",
         "Mto huo huunda delta pana kabla ya kuingia baharini."),
        ("science/technology",
         "Engineers tested a battery that can be charged in less than ten minutes.",
         "Ingenieure testeten eine Batterie, die in weniger als zehn Minuten geladen werden kann.",
         "Wahandisi walijaribu betri inayoweza kuchajiwa kwa chini ya dakika kumi."),
        ("travel",
         "The night train to the coast leaves the central station at ten o'clock.",
         "Der Nachtzug an die Küste fährt um zehn Uhr vom Hauptbahnhof ab.",
         "Treni ya usiku kuelekea pwani huondoka kituo kikuu saa nne usiku."),
        ("politics",
         "The opposition leader called for early elections after the minister resigned.",
         "Der Oppositionsführer forderte nach dem Rücktritt des Ministers vorgezogene Neuwahlen.",
         "Kiongozi wa upinzani aliitisha uchaguzi wa mapema baada ya waziri kujiuzulu."),
        ("sports",
         "The match was stopped for twenty minutes because of heavy rain.",
         "Das Spiel wurde wegen starken Regens zwanzig Minuten lang unterbrochen.",
         "Mechi ilisimamishwa kwa dakika ishirini kwa sababu ya mvua kubwa."),
        ("health",
         "A balanced diet and regular sleep help the body fight off illness.",
         "Eine ausgewogene Ernährung und regelmäßiger Schlaf helfen dem Körper, Krankheiten abzuwehren.",
         "Lishe bora na usingizi wa kutosha husaidia mwili kupambana na magonjwa."),
        ("entertainment",
         "The band announced a world tour that will begin in the spring.",
         "Die Band kündigte eine Welttournee an, die im Frühling beginnen wird.",
         "Bendi hiyo ilitangaza ziara ya dunia itakayoanza mwezi Machi."),
        ("geography",
         "The island is covered by volcanic rock and has almost no fresh water.",
         "Die Insel ist von Vulkangestein bedeckt und hat fast kein Süßwasser.",
         "Kisiwa hicho kimefunikwa na miamba ya volkano na karibu hakina maji yasiyo na chumvi."),
    ],
    "validation": [
        ("science/technology",
         "Scientists used satellite images to measure how quickly the glacier is melting.",
         "Wissenschaftler nutzten Satellitenbilder, um zu messen, wie schnell der Gletscher schmilzt.",
         "Wanasayansi walitumia picha za setilaiti kupima kasi ya kuyeyuka kwa barafu ya mlima huo."),
        ("travel",
         "Hotel prices in the old town rise sharply during the summer holidays.",
         "Die Hotelpreise in der Altstadt steigen während der Sommerferien stark an.",
         "Bei za hoteli katika mji wa kale hupanda sana wakati wa likizo ndefu za mwaka."),
        ("politics",
         "The two countries signed a trade agreement at the summit.",
         "Die beiden Länder unterzeichneten auf dem Gipfel ein Handelsabkommen.",
         "Nchi hizo mbili zilitia saini mkataba wa biashara kwenye mkutano wa kilele."),
        ("sports",
         "The team won the cup for the third year in a row.",
         "Die Mannschaft gewann den Pokal zum dritten Mal in Folge.",
         "Timu hiyo ilishinda kombe kwa mwaka wa tatu mfululizo."),
        ("health",
         "The hospital opened a new clinic for children with asthma.",
         "Das Krankenhaus eröffnete eine neue Ambulanz für Kinder mit Asthma.",
         "Hospitali ilifungua kliniki mpya kwa watoto wenye pumu."),
        ("entertainment",
         "The actor won an award for his role in a comedy about a small bakery.",
         "Der Schauspieler erhielt einen Preis für seine Rolle in einer Komödie über eine kleine Bäckerei.",
         "Mwigizaji huyo alishinda tuzo kwa nafasi yake katika filamu ya vichekesho kuhusu duka dogo la mikate."),
        ("geography",
         "The lake lies at an altitude of almost four thousand metres.",
         "Der See liegt auf einer Höhe von fast viertausend Metern.",
         "Ziwa hilo liko kwenye mwinuko wa karibu mita elfu nne."),
        ("science/technology",
         "The software update fixes a flaw that allowed attackers to read private messages.",
         "Das Software-Update behebt eine Schwachstelle, durch die Angreifer private Nachrichten lesen konnten.",
         "Sasisho la programu linarekebisha dosari iliyowawezesha washambuliaji kusoma jumbe za faragha."),
        ("travel",
         "Travellers need a visa to enter the country, which can be requested online.",
         "Reisende benötigen für die Einreise ein Visum, das online beantragt werden kann.",
         "Wasafiri wanahitaji viza ili kuingia nchini, na viza hiyo inaweza kuombwa mtandaoni."),
        ("politics",
         "The mayor promised to build more affordable housing before the next election.",
         "Die Bürgermeisterin versprach, vor der nächsten Wahl mehr bezahlbaren Wohnraum zu schaffen.",
         "Meya aliahidi kujenga nyumba nyingi zaidi za bei nafuu kabla ya uchaguzi ujao."),
        ("health",
         "Vaccination rates among young children rose again last year.",
         "Die Impfquoten bei kleinen Kindern sind im vergangenen Jahr wieder gestiegen.",
         "Viwango vya chanjo miongoni mwa watoto wadogo viliongezeka tena mwaka jana."),
        ("sports",
         "The marathon runner finished the race despite an injured ankle.",
         "Die Marathonläuferin beendete das Rennen trotz eines verletzten Knöchels.",
         "Mkimbiaji wa marathoni alimaliza mbio licha ya kuumia kifundo cha mguu."),
    ],
    "test": [
        ("science/technology",
         "Researchers have built a robot that can sort waste for recycling.",
         "Forscher haben einen Roboter gebaut, der Abfall für das Recycling sortieren kann.",
         "Watafiti wameunda roboti inayoweza kupanga taka ili zirejelezwe."),
        ("travel",
         "The ferry to the islands runs only twice a week in winter.",
         "Die Fähre zu den Inseln verkehrt im Winter nur zweimal pro Woche.",
         "Feri ya kwenda visiwani husafiri mara mbili tu kwa wiki wakati wa msimu wa baridi."),
        ("politics",
         "The government announced a plan to lower taxes for small businesses.",
         "Die Regierung kündigte einen Plan an, die Steuern für kleine Unternehmen zu senken.",
         "Serikali ilitangaza mpango wa kupunguza kodi kwa biashara ndogo."),
        ("sports",
         "The cyclist crossed the finish line just ahead of her rival.",
         "Die Radfahrerin überquerte die Ziellinie knapp vor ihrer Konkurrentin.",
         "Mwendesha baiskeli huyo alivuka mstari wa mwisho mbele kidogo ya mpinzani wake."),
        ("health",
         "Drinking enough water is especially important during hot weather.",
         "Bei heißem Wetter ist es besonders wichtig, genug Wasser zu trinken.",
         "Kunywa maji ya kutosha ni muhimu hasa wakati wa joto kali."),
        ("entertainment",
         "The museum's new exhibition shows paintings by young local artists.",
         "Die neue Ausstellung des Museums zeigt Gemälde junger Künstler aus der Region.",
         "Maonyesho mapya ya jumba la makumbusho yanaonyesha michoro ya wasanii chipukizi wa eneo hilo."),
        ("geography",
         "The desert receives less than fifty millimetres of rain each year.",
         "In der Wüste fallen jedes Jahr weniger als fünfzig Millimeter Regen.",
         "Jangwa hilo hupata mvua isiyozidi milimita hamsini kila mwaka."),
        ("entertainment",
         "The concert was broadcast live on television and watched by millions.",
         "Das Konzert wurde live im Fernsehen übertragen und von Millionen gesehen.",
         "Tamasha hilo lilirushwa moja kwa moja kwenye televisheni na kutazamwa na mamilioni ya watu."),
        ("geography",
         "The mountain range stretches for more than a thousand kilometres along the border.",
         "Die Bergkette erstreckt sich über mehr als tausend Kilometer entlang der Grenze.",
         "Safu hiyo ya milima inaenea kwa zaidi ya kilomita elfu moja kando ya mpaka."),
        ("science/technology",
         "The spacecraft sent back the first detailed photos of the comet's surface.",
         "Die Raumsonde schickte die ersten detaillierten Fotos von der Oberfläche des Kometen.",
         "Chombo hicho cha anga kilituma picha za kwanza zinazoonyesha kwa kina uso wa nyotamkia."),
        ("travel",
         "Campers must leave the national park before sunset.",
         "Camper müssen den Nationalpark vor Sonnenuntergang verlassen.",
         "Wanaopiga kambi wanapaswa kuondoka katika hifadhi ya taifa kabla ya jua kutua."),
        ("politics",
         "Thousands of people marched through the capital to demand cleaner air.",
         "Tausende Menschen zogen durch die Hauptstadt, um sauberere Luft zu fordern.",
         "Maelfu ya watu waliandamana katika mji mkuu kudai hewa safi zaidi."),
    ],
}

SIB_FEATURES = Features({"index_id": Value("int64"), "category": S, "text": S})


def _topic() -> None:
    for col, config in ((1, "eng_Latn"), (2, "deu_Latn"), (3, "swh_Latn")):
        start = 0
        for split in ("train", "validation", "test"):
            rows = [{"index_id": start + i, "category": r[0], "text": r[col]} for i, r in enumerate(SIB[split])]
            start += len(rows)
            add("Davlan/sib200", "CC BY-SA 4.0", config, split, rows, SIB_FEATURES)


# ---------------------------------------------------------------------------------------------
# sentiment: en stanfordnlp/sst2 (binary, lower-cased tokenised review phrases), de cardiffnlp
# (tweets, XLM-T style: @user, http), sw AfriSenti swa (tweets; ClassLabel order positive,
# neutral, negative).
# ---------------------------------------------------------------------------------------------

SST2 = [
    ("a warm , funny and quietly moving story about two old friends", "positive"),
    ("the plot is so thin it could blow away in a light breeze", "negative"),
    ("one of the most beautifully shot films of the year", "positive"),
    ("it 's the kind of movie that makes you check your watch every ten minutes", "negative"),
    ("the lead actress gives a performance full of wit and grace", "positive"),
    ("a tired retread of jokes we 've all heard before", "negative"),
    ("the director keeps the tension high until the very last scene", "positive"),
    ("neither the script nor the actors seem to know what the film is about", "negative"),
    ("a clever , big-hearted comedy", "positive"),
    ("the dialogue is stiff and the pacing is painfully slow", "negative"),
    ("you 'll leave the theater humming the songs", "positive"),
    ("an ugly , mean-spirited mess", "negative"),
    ("the young cast is a genuine delight", "positive"),
    ("too long , too loud and far too pleased with itself", "negative"),
    ("a smart thriller that never insults its audience", "positive"),
    ("the special effects ca n't hide how empty the story is", "negative"),
]

TWEETS_DE = [
    ("@user Der Zug hat schon wieder 40 Minuten Verspätung. Ich bin so bedient.", "negative"),
    ("Heute beginnt in Hamburg die Hafenwoche, das Programm steht online: http", "neutral"),
    ("Endlich Wochenende und die Sonne scheint! Ab an den See 😊", "positive"),
    ("@user Danke für die schnelle Hilfe, das Problem ist gelöst!", "positive"),
    ("Die Sitzung des Stadtrats wurde auf Donnerstag verschoben.", "neutral"),
    ("Was für ein schreckliches Spiel. Keine einzige Torchance in 90 Minuten.", "negative"),
    ("Das neue Album meiner Lieblingsband ist da und es ist großartig ❤️", "positive"),
    ("Morgen soll es in ganz Bayern regnen, Höchstwerte um 15 Grad.", "neutral"),
    ("@user Seit drei Tagen kein Internet und niemand meldet sich. Unmöglich!", "negative"),
    ("Gerade meinen ersten Halbmarathon geschafft! So stolz auf mich 🏃", "positive"),
    ("Der Supermarkt an der Ecke hat jetzt bis 22 Uhr geöffnet.", "neutral"),
    ("Schon wieder eine Preiserhöhung beim Strom. Langsam reicht es wirklich.", "negative"),
    ("@user Die Pressekonferenz beginnt um 11 Uhr, Livestream unter http", "neutral"),
    ("Meine Oma hat heute Geburtstag und die ganze Familie ist da. Schöner Tag!", "positive"),
    ("Das Essen war kalt und der Kellner unfreundlich. Da gehen wir nie wieder hin.", "negative"),
]

TWEETS_SW = [
    ("@user Hongera sana kwa ushindi wa leo, mmetufurahisha!", "positive"),
    ("Bei ya unga imepanda tena, maisha yanazidi kuwa magumu.", "negative"),
    ("Mkutano wa wakazi utafanyika Jumamosi saa tatu asubuhi katika ukumbi wa kijiji.", "neutral"),
    ("Asante Mungu kwa siku nyingine njema pamoja na familia yangu ❤️", "positive"),
    ("@user Huduma yenu ni mbaya kabisa, nimesubiri wiki mbili bila jibu.", "negative"),
    ("Mvua inatarajiwa kunyesha katika maeneo mengi ya pwani wiki hii.", "neutral"),
    ("Nimefurahi sana kumaliza mtihani wangu wa mwisho chuoni leo!", "positive"),
    ("Barabara hii imejaa mashimo, tumechoka na ahadi zisizotimizwa.", "negative"),
    ("Shule zitafunguliwa tena tarehe nne mwezi ujao.", "neutral"),
    ("Wimbo mpya wa msanii huyu ni mtamu sana, nausikiliza kila siku 🎶", "positive"),
    ("@user Umeme umekatika tena usiku mzima, hii ni aibu.", "negative"),
    ("Timu ya taifa itacheza mechi ya kirafiki dhidi ya Uganda kesho.", "neutral"),
    ("Chakula cha mama lishe wa hapa mtaani ni kitamu sana, nawapendekezea wote.", "positive"),
    ("Nimeibiwa simu kwenye daladala leo asubuhi, nimeumia sana.", "negative"),
    ("Benki kuu imetangaza kiwango kipya cha riba leo.", "neutral"),
]


def _sentiment() -> None:
    sst_labels = ["negative", "positive"]
    add("stanfordnlp/sst2", "unknown (SST / GLUE)", "default", "train",
        [{"idx": i, "sentence": t, "label": sst_labels.index(lab)} for i, (t, lab) in enumerate(SST2)],
        Features({"idx": Value("int32"), "sentence": S, "label": ClassLabel(names=sst_labels)}))
    cardiff = ["negative", "neutral", "positive"]
    add("cardiffnlp/tweet_sentiment_multilingual", "CC BY 3.0 (and Twitter terms of service)", "german", "train",
        [{"text": t, "label": cardiff.index(lab)} for t, lab in TWEETS_DE],
        Features({"text": S, "label": ClassLabel(names=cardiff)}))
    afri = ["positive", "neutral", "negative"]
    add("shmuhammad/AfriSenti-twitter-sentiment", "CC BY 4.0", "swa", "train",
        [{"tweet": t, "label": afri.index(lab)} for t, lab in TWEETS_SW],
        Features({"tweet": S, "label": ClassLabel(names=afri)}))


# ---------------------------------------------------------------------------------------------
# paraphrase: google-research-datasets/paws-x (validation; ClassLabel names '0', '1').
# PAWS-style pairs: paraphrases reorder, non-paraphrases swap words. Parallel en/de.
# ---------------------------------------------------------------------------------------------

PAWS = [
    (1, "The bridge was designed by Anna Keller and completed in 1932.",
        "Completed in 1932, the bridge was designed by Anna Keller.",
        "Die Brücke wurde von Anna Keller entworfen und 1932 fertiggestellt.",
        "Die 1932 fertiggestellte Brücke wurde von Anna Keller entworfen."),
    (0, "In 1998 he moved from Oslo to Bergen, where he taught music.",
        "In 1998 he moved from Bergen to Oslo, where he taught music.",
        "1998 zog er von Oslo nach Bergen, wo er Musik unterrichtete.",
        "1998 zog er von Bergen nach Oslo, wo er Musik unterrichtete."),
    (0, "The village is located north of the lake and east of the forest.",
        "The village is located east of the lake and north of the forest.",
        "Das Dorf liegt nördlich des Sees und östlich des Waldes.",
        "Das Dorf liegt östlich des Sees und nördlich des Waldes."),
    (1, "She was the first woman to lead the orchestra, a post she held until 1975.",
        "Until 1975 she led the orchestra, the first woman to hold that post.",
        "Sie war die erste Frau an der Spitze des Orchesters, ein Amt, das sie bis 1975 innehatte.",
        "Bis 1975 leitete sie das Orchester, als erste Frau in diesem Amt."),
    (0, "The album was recorded in London and released by a small label in Paris.",
        "The album was recorded in Paris and released by a small label in London.",
        "Das Album wurde in London aufgenommen und von einem kleinen Label in Paris veröffentlicht.",
        "Das Album wurde in Paris aufgenommen und von einem kleinen Label in London veröffentlicht."),
    (1, "The river rises in the hills and flows south into the bay.",
        "Rising in the hills, the river flows south into the bay.",
        "Der Fluss entspringt in den Hügeln und fließt nach Süden in die Bucht.",
        "Der in den Hügeln entspringende Fluss fließt nach Süden in die Bucht."),
    (0, "Martin Berg succeeded Paul Weber as head coach of the club in 2004.",
        "Paul Weber succeeded Martin Berg as head coach of the club in 2004.",
        "Martin Berg trat 2004 die Nachfolge von Paul Weber als Cheftrainer des Vereins an.",
        "Paul Weber trat 2004 die Nachfolge von Martin Berg als Cheftrainer des Vereins an."),
    (1, "The school was founded by local farmers and later became a public college.",
        "Local farmers founded the school, which later became a public college.",
        "Die Schule wurde von Bauern aus der Gegend gegründet und später eine staatliche Hochschule.",
        "Bauern aus der Gegend gründeten die Schule, die später eine staatliche Hochschule wurde."),
    (0, "The species is common in the south of the country but rare in the north.",
        "The species is common in the north of the country but rare in the south.",
        "Die Art ist im Süden des Landes häufig, im Norden aber selten.",
        "Die Art ist im Norden des Landes häufig, im Süden aber selten."),
    (1, "The castle was destroyed during the war and rebuilt in the following decade.",
        "Destroyed during the war, the castle was rebuilt in the following decade.",
        "Die Burg wurde im Krieg zerstört und im folgenden Jahrzehnt wieder aufgebaut.",
        "Die im Krieg zerstörte Burg wurde im folgenden Jahrzehnt wieder aufgebaut."),
    (0, "The novel tells the story of a daughter who searches for her missing father.",
        "The novel tells the story of a father who searches for his missing daughter.",
        "Der Roman erzählt die Geschichte einer Tochter, die ihren verschwundenen Vater sucht.",
        "Der Roman erzählt die Geschichte eines Vaters, der seine verschwundene Tochter sucht."),
    (1, "The station is served by regional trains to Graz and Linz.",
        "Regional trains to Graz and Linz serve the station.",
        "Der Bahnhof wird von Regionalzügen nach Graz und Linz angefahren.",
        "Regionalzüge nach Graz und Linz fahren den Bahnhof an."),
    (0, "He played for Ajax before joining the national team as an assistant coach.",
        "He joined Ajax as an assistant coach before playing for the national team.",
        "Er spielte für Ajax, bevor er als Co-Trainer zur Nationalmannschaft kam.",
        "Er kam als Co-Trainer zu Ajax, bevor er für die Nationalmannschaft spielte."),
    (1, "The church, built in the twelfth century, is the oldest building in the town.",
        "Built in the twelfth century, the church is the oldest building in the town.",
        "Die im zwölften Jahrhundert erbaute Kirche ist das älteste Gebäude der Stadt.",
        "Die Kirche wurde im zwölften Jahrhundert erbaut und ist das älteste Gebäude der Stadt."),
    (0, "The company sells its products mainly in Asia and partly in Europe.",
        "The company sells its products mainly in Europe and partly in Asia.",
        "Das Unternehmen verkauft seine Produkte hauptsächlich in Asien und teilweise in Europa.",
        "Das Unternehmen verkauft seine Produkte hauptsächlich in Europa und teilweise in Asien."),
    (1, "The festival takes place every year in the first week of July.",
        "Every year, the festival is held in the first week of July.",
        "Das Festival findet jedes Jahr in der ersten Juliwoche statt.",
        "Jedes Jahr wird das Festival in der ersten Juliwoche abgehalten."),
]


def _paraphrase() -> None:
    feats = Features({"id": Value("int32"), "sentence1": S, "sentence2": S, "label": ClassLabel(names=["0", "1"])})
    for config, a, b in (("en", 1, 2), ("de", 3, 4)):
        rows = [{"id": i + 1, "sentence1": r[a], "sentence2": r[b], "label": r[0]} for i, r in enumerate(PAWS)]
        add("google-research-datasets/paws-x", "PAWS-X terms (free use; attribution to Google appreciated)", config, "validation", rows, feats)


# ---------------------------------------------------------------------------------------------
# translation: mteb/tatoeba-bitext-mining (test only; sentence1 non-English, sentence2 English)
# ---------------------------------------------------------------------------------------------

TATOEBA = {
    "deu-eng": [
        ("Ich trinke morgens immer einen Kaffee.", "I always drink a coffee in the morning."),
        ("Wo ist die nächste Apotheke?", "Where is the nearest pharmacy?"),
        ("Tom hat seinen Schlüssel verloren.", "Tom has lost his key."),
        ("Es regnet seit heute Morgen.", "It has been raining since this morning."),
        ("Kannst du mir bitte das Salz geben?", "Can you pass me the salt, please?"),
        ("Meine Schwester wohnt in Berlin.", "My sister lives in Berlin."),
        ("Wir haben keine Milch mehr.", "We're out of milk."),
        ("Der Film hat mir gut gefallen.", "I really liked the film."),
        ("Ich lerne seit zwei Jahren Japanisch.", "I've been learning Japanese for two years."),
        ("Um wie viel Uhr fährt der Bus ab?", "What time does the bus leave?"),
        ("Das Fenster ist offen.", "The window is open."),
        ("Maria kocht heute Abend für uns.", "Mary is cooking for us tonight."),
        ("Ich habe keine Zeit, das zu lesen.", "I don't have time to read that."),
        ("Mein Hund schläft gern auf dem Sofa.", "My dog likes sleeping on the sofa."),
        ("Wie alt ist dein Bruder?", "How old is your brother?"),
        ("Morgen besuchen wir unsere Großeltern.", "Tomorrow we're visiting our grandparents."),
    ],
    # the en cell of the translation task: Esperanto-English pairs (English has no pair of its own)
    "epo-eng": [
        ("Mi trinkas kafon ĉiumatene.", "I drink coffee every morning."),
        ("Kie estas la stacidomo?", "Where is the railway station?"),
        ("Tomo perdis sian ŝlosilon.", "Tom lost his key."),
        ("Pluvas ekde hieraŭ vespere.", "It has been raining since yesterday evening."),
        ("Ĉu vi povas helpi min, mi petas?", "Can you help me, please?"),
        ("Mia fratino loĝas en Varsovio.", "My sister lives in Warsaw."),
        ("Ni ne plu havas panon.", "We have no more bread."),
        ("La libro estis tre interesa.", "The book was very interesting."),
        ("Mi lernas Esperanton jam de du monatoj.", "I have been learning Esperanto for two months."),
        ("Je kioma horo foriras la buso?", "What time does the bus leave?"),
        ("La pordo estas fermita.", "The door is closed."),
        ("Maria kuiras por ni ĉi-vespere.", "Mary is cooking for us this evening."),
        ("Mi ne havas tempon por legi ĝin.", "I don't have time to read it."),
        ("Mia kato dormas sur la lito.", "My cat is sleeping on the bed."),
        ("Kiom aĝa estas via frato?", "How old is your brother?"),
        ("Morgaŭ ni vizitos niajn geavojn.", "Tomorrow we will visit our grandparents."),
    ],
    "swh-eng": [
        ("Ninapenda kusoma vitabu jioni.", "I like reading books in the evening."),
        ("Soko liko wapi?", "Where is the market?"),
        ("Tom anaishi Nairobi.", "Tom lives in Nairobi."),
        ("Mvua inanyesha sana leo.", "It is raining heavily today."),
        ("Tafadhali funga mlango.", "Please close the door."),
        ("Mama yangu ni mwalimu.", "My mother is a teacher."),
        ("Nina njaa sana.", "I am very hungry."),
        ("Tutaondoka kesho asubuhi.", "We will leave tomorrow morning."),
        ("Hii ni nyumba yetu mpya.", "This is our new house."),
        ("Watoto wanacheza uwanjani.", "The children are playing in the field."),
        ("Sijui anakoishi.", "I don't know where he lives."),
        ("Chai imepoa.", "The tea has gone cold."),
        ("Unazungumza Kiswahili vizuri.", "You speak Swahili well."),
        ("Duka hufunguliwa saa mbili asubuhi.", "The shop opens at eight in the morning."),
        ("Baba yangu anapenda kuvua samaki.", "My father likes fishing."),
        ("Nilinunua matunda sokoni jana.", "I bought fruit at the market yesterday."),
    ],
}


def _translation() -> None:
    feats = Features({"sentence1": S, "sentence2": S})
    for config, pairs in TATOEBA.items():
        add("mteb/tatoeba-bitext-mining", "CC BY 2.0 FR (Tatoeba)", config, "test",
            [{"sentence1": a, "sentence2": b} for a, b in pairs], feats)


# ---------------------------------------------------------------------------------------------
# extractive_qa: google/xquad (validation only; answers = {text: [..], answer_start: [..]}).
# Six passages with two or three questions each (group_field context), parallel en/de like XQuAD.
# ---------------------------------------------------------------------------------------------

XQUAD = [
    {
        "en": ("The Meridian Canal was opened in 1869 to connect the two largest lakes of the region. It is 84 "
               "kilometres long and has eleven locks. Until the railway arrived in 1901, most of the region's "
               "grain was shipped along the canal to the port of Haldor.",
               [("When was the Meridian Canal opened?", "1869"),
                ("How many locks does the canal have?", "eleven"),
                ("Where was most of the region's grain shipped to?", "the port of Haldor")]),
        "de": ("Der Meridian-Kanal wurde 1869 eröffnet, um die beiden größten Seen der Region zu verbinden. Er ist "
               "84 Kilometer lang und hat elf Schleusen. Bis zur Ankunft der Eisenbahn im Jahr 1901 wurde der "
               "größte Teil des Getreides der Region über den Kanal zum Hafen von Haldor verschifft.",
               [("Wann wurde der Meridian-Kanal eröffnet?", "1869"),
                ("Wie viele Schleusen hat der Kanal?", "elf"),
                ("Wohin wurde der größte Teil des Getreides der Region verschifft?", "zum Hafen von Haldor")]),
    },
    {
        "en": ("Photosynthesis takes place mainly in the leaves of plants, inside small structures called "
               "chloroplasts. Using the energy of sunlight, the plant turns water and carbon dioxide into sugar. "
               "Oxygen is released as a by-product.",
               [("Where in the plant does photosynthesis mainly take place?", "in the leaves"),
                ("What are the small structures in which photosynthesis happens called?", "chloroplasts"),
                ("What is released as a by-product?", "Oxygen")]),
        "de": ("Die Photosynthese findet hauptsächlich in den Blättern der Pflanzen statt, in kleinen Strukturen, "
               "die Chloroplasten genannt werden. Mithilfe der Energie des Sonnenlichts wandelt die Pflanze Wasser "
               "und Kohlendioxid in Zucker um. Als Nebenprodukt wird Sauerstoff freigesetzt.",
               [("Wo in der Pflanze findet die Photosynthese hauptsächlich statt?", "in den Blättern"),
                ("Wie heißen die kleinen Strukturen, in denen die Photosynthese stattfindet?", "Chloroplasten"),
                ("Was wird als Nebenprodukt freigesetzt?", "Sauerstoff")]),
    },
    {
        "en": ("The Northbridge Library was founded in 1923 by the teacher Clara Osei. It started with fewer than "
               "five hundred books donated by local families. Today it holds more than 80,000 volumes and runs a "
               "reading club for children every Saturday.",
               [("Who founded the Northbridge Library?", "Clara Osei"),
                ("How many volumes does the library hold today?", "more than 80,000"),
                ("When does the children's reading club meet?", "every Saturday")]),
        "de": ("Die Northbridge-Bibliothek wurde 1923 von der Lehrerin Clara Osei gegründet. Sie begann mit weniger "
               "als fünfhundert Büchern, die Familien aus dem Ort gespendet hatten. Heute umfasst sie mehr als "
               "80.000 Bände und bietet jeden Samstag einen Leseclub für Kinder an.",
               [("Wer gründete die Northbridge-Bibliothek?", "Clara Osei"),
                ("Wie viele Bände umfasst die Bibliothek heute?", "mehr als 80.000"),
                ("Wann trifft sich der Leseclub für Kinder?", "jeden Samstag")]),
    },
    {
        "en": ("The 1971 Continental Games in the city of Valmora were the first to be shown in colour on "
               "television. Athletes from 112 nations took part. The high jumper Tomas Reyes won the most famous "
               "gold medal of the games with a new technique of jumping backwards over the bar.",
               [("Where were the 1971 Continental Games held?", "the city of Valmora"),
                ("From how many nations did the athletes come?", "112"),
                ("What was new about the technique of Tomas Reyes?", "jumping backwards over the bar")]),
        "de": ("Die Kontinentalspiele 1971 in der Stadt Valmora waren die ersten, die in Farbe im Fernsehen "
               "übertragen wurden. Es nahmen Sportler aus 112 Nationen teil. Der Hochspringer Tomas Reyes gewann "
               "die berühmteste Goldmedaille der Spiele mit einer neuen Technik, bei der er rückwärts über die "
               "Latte sprang.",
               [("Wo fanden die Kontinentalspiele 1971 statt?", "in der Stadt Valmora"),
                ("Aus wie vielen Nationen kamen die Sportler?", "112"),
                ("Was war neu an der Technik von Tomas Reyes?", "rückwärts über die Latte")]),
    },
    {
        "en": ("Coffee plants grow best at altitudes between 1,000 and 2,000 metres, where the days are warm and "
               "the nights are cool. The ripe fruits, called cherries, are usually picked by hand. Each cherry "
               "contains two seeds, which are dried and roasted to become coffee beans.",
               [("At what altitudes do coffee plants grow best?", "between 1,000 and 2,000 metres"),
                ("What are the ripe fruits of the coffee plant called?", "cherries"),
                ("How many seeds does each cherry contain?", "two")]),
        "de": ("Kaffeepflanzen wachsen am besten in Höhen zwischen 1.000 und 2.000 Metern, wo die Tage warm und "
               "die Nächte kühl sind. Die reifen Früchte, Kirschen genannt, werden meist von Hand gepflückt. Jede "
               "Kirsche enthält zwei Samen, die getrocknet und geröstet werden und so zu Kaffeebohnen werden.",
               [("In welchen Höhen wachsen Kaffeepflanzen am besten?", "zwischen 1.000 und 2.000 Metern"),
                ("Wie werden die reifen Früchte der Kaffeepflanze genannt?", "Kirschen"),
                ("Wie viele Samen enthält jede Kirsche?", "zwei")]),
    },
    {
        "en": ("The old town hall burned down in 1957 after a lightning strike. The council met in a former "
               "school for twelve years while a new hall was built. The new building, designed by the architect "
               "Ilse Hartmann, opened in 1969 and has a clock tower 46 metres high.",
               [("What caused the old town hall to burn down?", "a lightning strike"),
                ("Who designed the new building?", "Ilse Hartmann")]),
        "de": ("Das alte Rathaus brannte 1957 nach einem Blitzeinschlag nieder. Der Rat tagte zwölf Jahre lang in "
               "einer ehemaligen Schule, während ein neues Rathaus gebaut wurde. Das neue Gebäude, entworfen von "
               "der Architektin Ilse Hartmann, wurde 1969 eröffnet und hat einen 46 Meter hohen Uhrturm.",
               [("Wodurch brannte das alte Rathaus 1957 nieder?", "einem Blitzeinschlag"),
                ("Wer entwarf das neue Gebäude?", "Ilse Hartmann")]),
    },
]


def _answer_start(context: str, answer: str) -> int:
    m = re.search(r"(?<!\w)" + re.escape(answer) + r"(?!\w)", context)
    if m is None:
        raise ValueError(f"answer {answer!r} is not a span of its context {context[:40]!r}...")
    return m.start()


def _extractive_qa() -> None:
    feats = Features({
        "id": S, "context": S, "question": S,
        "answers": {"text": List(S), "answer_start": List(Value("int32"))},
    })
    for lang in ("en", "de"):
        rows = []
        for passage in XQUAD:
            context, qas = passage[lang]
            for k, (question, answer) in enumerate(qas):
                rows.append({
                    "id": _id(passage["en"][0], passage["en"][1][k][0]),  # one id per question, shared across languages
                    "context": context,
                    "question": question,
                    "answers": {"text": [answer], "answer_start": [_answer_start(context, answer)]},
                })
        add("google/xquad", "CC BY-SA 4.0", f"xquad.{lang}", "validation", rows, feats)
    _tydiqa()


# khalidalt/tydiqa-goldp (train of config swahili): TyDi QA gold passages, features as in its loading
# script: id, document_title, passage_text, question_text, answers {text, start_byte, limit_byte}
# (byte offsets into the UTF-8 passage). Eight passages with two questions each.
TYDIQA_SW = [
    (
        "Mfereji wa Meridiani",
        "Mfereji wa Meridiani ulifunguliwa mwaka 1869 ili kuunganisha maziwa mawili makubwa zaidi ya eneo hilo. "
        "Una urefu wa kilomita 84 na una malango kumi na moja. Hadi reli ilipofika mwaka 1901, nafaka nyingi za "
        "eneo hilo zilisafirishwa kupitia mfereji huo hadi bandari ya Haldor.",
        [("Mfereji wa Meridiani ulifunguliwa mwaka gani?", "1869"), ("Nafaka za eneo hilo zilisafirishwa hadi wapi?", "bandari ya Haldor")],
    ),
    (
        "Maktaba ya Northbridge",
        "Maktaba ya Northbridge ilianzishwa mwaka 1923 na mwalimu Clara Osei. Ilianza na vitabu chini ya mia tano "
        "vilivyotolewa na familia za mtaa huo. Leo ina vitabu zaidi ya 80,000 na huendesha klabu ya kusoma kwa "
        "watoto kila Jumamosi.",
        [("Nani alianzisha Maktaba ya Northbridge?", "Clara Osei"), ("Klabu ya kusoma ya watoto hukutana lini?", "kila Jumamosi")],
    ),
    (
        "Kahawa",
        "Mimea ya kahawa hustawi vizuri zaidi katika miinuko ya kati ya mita 1,000 na 2,000, ambako mchana kuna "
        "joto na usiku kuna baridi. Matunda yaliyoiva huitwa cheri na kwa kawaida huchumwa kwa mkono. Kila cheri "
        "ina mbegu mbili ambazo hukaushwa na kukaangwa ili kuwa buni.",
        [("Matunda yaliyoiva ya mmea wa kahawa huitwaje?", "cheri"), ("Kila cheri ina mbegu ngapi?", "mbili")],
    ),
    (
        "Ukumbi wa mji",
        "Ukumbi wa zamani wa mji uliungua mwaka 1957 baada ya kupigwa na radi. Baraza la mji lilikutana katika "
        "shule ya zamani kwa miaka kumi na miwili wakati ukumbi mpya ukijengwa. Jengo jipya, lililobuniwa na "
        "mbunifu Ilse Hartmann, lilifunguliwa mwaka 1969.",
        [("Ni nini kilichosababisha ukumbi wa zamani kuungua?", "radi"), ("Nani alibuni jengo jipya?", "Ilse Hartmann")],
    ),
    (
        "Michezo ya Bara ya 1971",
        "Michezo ya Bara ya mwaka 1971 ilifanyika katika mji wa Valmora. Wanariadha kutoka mataifa 112 "
        "walishiriki. Mrukaji wa juu Tomas Reyes alishinda medali ya dhahabu iliyojulikana zaidi kwa mbinu mpya "
        "ya kuruka kinyumenyume juu ya upau.",
        [("Michezo ya Bara ya mwaka 1971 ilifanyika wapi?", "mji wa Valmora"), ("Wanariadha walitoka katika mataifa mangapi?", "112")],
    ),
    (
        "Usanisinuru",
        "Usanisinuru hufanyika hasa katika majani ya mimea, ndani ya viungo vidogo vinavyoitwa kloroplasti. Kwa "
        "kutumia nishati ya mwanga wa jua, mmea hubadilisha maji na kaboni dioksidi kuwa sukari. Oksijeni "
        "hutolewa kama zao la ziada.",
        [("Usanisinuru hufanyika hasa katika sehemu gani ya mmea?", "majani"), ("Ni gesi gani hutolewa kama zao la ziada?", "Oksijeni")],
    ),
    (
        "Daraja la Kisiwani",
        "Daraja la Kisiwani lilijengwa kati ya mwaka 1978 na 1983 kuunganisha kisiwa cha Pemba Ndogo na bara. "
        "Lina urefu wa mita 640 na lilibuniwa na mhandisi Amina Juma. Kabla ya daraja hilo, wakazi walivuka kwa "
        "feri iliyofanya safari nne kwa siku.",
        [("Daraja la Kisiwani lina urefu gani?", "mita 640"), ("Kabla ya daraja, wakazi walivuka kwa nini?", "feri")],
    ),
    (
        "Bustani ya Mimea ya Lindora",
        "Bustani ya Mimea ya Lindora ilifunguliwa mwaka 1954 kwenye kilima nje ya mji. Ina aina zaidi ya 3,000 za "
        "mimea, zikiwemo miti ya mikoko kutoka pwani. Kila mwezi wa Oktoba bustani huandaa maonyesho ya maua "
        "yanayovutia wageni wengi.",
        [("Bustani ya Mimea ya Lindora ilifunguliwa mwaka gani?", "1954"), ("Maonyesho ya maua hufanyika mwezi gani?", "Oktoba")],
    ),
]


def _tydiqa() -> None:
    feats = Features({
        "id": S, "document_title": S, "passage_text": S, "question_text": S,
        "answers": {"text": List(S), "start_byte": List(Value("int32")), "limit_byte": List(Value("int32"))},
    })
    rows = []
    for title, passage, qas in TYDIQA_SW:
        for question, answer in qas:
            start = len(passage[: _answer_start(passage, answer)].encode())  # byte offsets, as in TyDi QA
            rows.append({
                "id": f"swahili-{_id(passage, question, n=16)}",
                "document_title": title,
                "passage_text": passage,
                "question_text": question,
                "answers": {"text": [answer], "start_byte": [start], "limit_byte": [start + len(answer.encode())]},
            })
    add("khalidalt/tydiqa-goldp", "Apache-2.0", "swahili", "train", rows, feats)


# ---------------------------------------------------------------------------------------------
# mcqa: facebook/belebele (test only; correct_answer_num is a string "1"-"4"). Six passages with
# two questions each, parallel en/de/sw.
# ---------------------------------------------------------------------------------------------

BELEBELE = [
    {
        "en": ("The city council has decided to close the main square to cars from next year. Buses and taxis "
               "will still be allowed to cross it in the early morning to bring passengers to the market. Shop "
               "owners worry that fewer customers will come, but a similar ban in a neighbouring town increased "
               "the number of visitors by a quarter.",
               [("Who will still be allowed to cross the square?",
                 ["Private cars", "Buses and taxis", "Delivery lorries", "Only cyclists"], "2"),
                ("What happened after a similar ban in a neighbouring town?",
                 ["Shops closed", "The market moved", "The number of visitors rose by a quarter", "Traffic increased"], "3")]),
        "de": ("Der Stadtrat hat beschlossen, den Hauptplatz ab dem nächsten Jahr für Autos zu sperren. Busse und "
               "Taxis dürfen ihn am frühen Morgen weiterhin überqueren, um Fahrgäste zum Markt zu bringen. "
               "Ladenbesitzer befürchten, dass weniger Kunden kommen werden, doch ein ähnliches Verbot in einer "
               "Nachbarstadt hat die Zahl der Besucher um ein Viertel erhöht.",
               [("Wer darf den Platz weiterhin überqueren?",
                 ["Private Autos", "Busse und Taxis", "Lieferwagen", "Nur Radfahrer"], "2"),
                ("Was geschah nach einem ähnlichen Verbot in einer Nachbarstadt?",
                 ["Läden schlossen", "Der Markt zog um", "Die Zahl der Besucher stieg um ein Viertel", "Der Verkehr nahm zu"], "3")]),
        "sw": ("Halmashauri ya jiji imeamua kufunga uwanja mkuu wa mji kwa magari kuanzia mwaka ujao. Mabasi na "
               "teksi bado zitaruhusiwa kuuvuka alfajiri ili kuwafikisha abiria sokoni. Wenye maduka wana "
               "wasiwasi kwamba wateja watapungua, lakini marufuku kama hiyo katika mji jirani iliongeza idadi "
               "ya wageni kwa robo.",
               [("Ni nani bado wataruhusiwa kuvuka uwanja huo?",
                 ["Magari binafsi", "Mabasi na teksi", "Malori ya mizigo", "Waendesha baiskeli pekee"], "2"),
                ("Nini kilitokea baada ya marufuku kama hiyo katika mji jirani?",
                 ["Maduka yalifungwa", "Soko lilihamishwa", "Idadi ya wageni iliongezeka kwa robo", "Msongamano wa magari uliongezeka"], "3")]),
    },
    {
        "en": ("Honey practically never goes bad. Because it contains very little water and is slightly acidic, "
               "bacteria cannot grow in it. Over time honey may turn solid and cloudy, but gently warming the jar "
               "in hot water makes it liquid again.",
               [("Why can bacteria not grow in honey?",
                 ["It is kept in jars", "It is always warm", "It has little water and is slightly acidic", "It is very sweet and cloudy"], "3"),
                ("What can be done when honey turns solid?",
                 ["Add cold water to it", "Warm the jar gently in hot water", "Throw it away", "Keep it in the fridge"], "2")]),
        "de": ("Honig wird praktisch nie schlecht. Da er sehr wenig Wasser enthält und leicht sauer ist, können "
               "sich darin keine Bakterien vermehren. Mit der Zeit kann Honig fest und trüb werden, doch wenn man "
               "das Glas vorsichtig in heißem Wasser erwärmt, wird er wieder flüssig.",
               [("Warum können sich im Honig keine Bakterien vermehren?",
                 ["Er wird in Gläsern aufbewahrt", "Er ist immer warm", "Er enthält wenig Wasser und ist leicht sauer", "Er ist sehr süß und trüb"], "3"),
                ("Was kann man tun, wenn Honig fest wird?",
                 ["Kaltes Wasser hinzufügen", "Das Glas vorsichtig in heißem Wasser erwärmen", "Ihn wegwerfen", "Ihn im Kühlschrank aufbewahren"], "2")]),
        "sw": ("Asali karibu haiharibiki kamwe. Kwa kuwa ina maji kidogo sana na ina asidi kidogo, bakteria "
               "hawawezi kukua ndani yake. Baada ya muda asali inaweza kuganda na kupoteza uangavu wake, lakini "
               "ukiipasha chupa moto taratibu ndani ya maji ya moto, inayeyuka tena.",
               [("Kwa nini bakteria hawawezi kukua ndani ya asali?",
                 ["Huhifadhiwa kwenye chupa", "Huwa na joto kila wakati", "Ina maji kidogo na ina asidi kidogo", "Ni tamu sana na haing'ai"], "3"),
                ("Nini kifanyike asali ikiganda?",
                 ["Kuongeza maji baridi", "Kuipasha chupa moto taratibu ndani ya maji ya moto", "Kuitupa", "Kuihifadhi kwenye jokofu"], "2")]),
    },
    {
        "en": ("The mountain hut is open from June to September. It has forty beds, but in July and August it is "
               "often full, so walkers are advised to book in advance. There is no shop at the hut, although hot "
               "meals are served in the evening.",
               [("When is the hut often full?",
                 ["In June", "In July and August", "In September", "All year round"], "2"),
                ("What can walkers get at the hut?",
                 ["Hot meals in the evening", "Groceries from the shop", "Free maps", "Ski equipment"], "1")]),
        "de": ("Die Berghütte ist von Juni bis September geöffnet. Sie hat vierzig Betten, ist im Juli und August "
               "aber oft ausgebucht, daher wird Wanderern empfohlen, im Voraus zu reservieren. Einen Laden gibt es "
               "an der Hütte nicht, abends werden jedoch warme Mahlzeiten serviert.",
               [("Wann ist die Hütte oft ausgebucht?",
                 ["Im Juni", "Im Juli und August", "Im September", "Das ganze Jahr über"], "2"),
                ("Was bekommen Wanderer an der Hütte?",
                 ["Warme Mahlzeiten am Abend", "Lebensmittel aus dem Laden", "Kostenlose Karten", "Skiausrüstung"], "1")]),
        "sw": ("Kibanda cha mlimani hufunguliwa kuanzia Juni hadi Septemba. Kina vitanda arobaini, lakini mwezi "
               "Julai na Agosti mara nyingi hujaa, kwa hiyo wapanda milima wanashauriwa kuweka nafasi mapema. "
               "Hakuna duka kibandani, ingawa chakula cha moto hutolewa jioni.",
               [("Ni lini kibanda hujaa mara nyingi?",
                 ["Mwezi Juni", "Mwezi Julai na Agosti", "Mwezi Septemba", "Mwaka mzima"], "2"),
                ("Wapanda milima wanaweza kupata nini kibandani?",
                 ["Chakula cha moto jioni", "Bidhaa kutoka dukani", "Ramani za bure", "Vifaa vya kuteleza kwenye theluji"], "1")]),
    },
    {
        "en": ("Researchers followed two groups of students for one term. The first group studied for an hour "
               "every day, while the second studied for seven hours on a single day each week. At the end of the "
               "term, the first group remembered noticeably more, even though both groups had spent the same "
               "total time studying.",
               [("How did the first group study?",
                 ["Seven hours once a week", "Only before the exam", "An hour every day", "Two hours at weekends"], "3"),
                ("What does the passage say about the total study time?",
                 ["It was the same for both groups", "The first group studied longer", "The second group studied longer", "It was not measured"], "1")]),
        "de": ("Forscher begleiteten zwei Gruppen von Studierenden ein Semester lang. Die erste Gruppe lernte jeden "
               "Tag eine Stunde, die zweite an einem einzigen Tag pro Woche sieben Stunden. Am Ende des Semesters "
               "erinnerte sich die erste Gruppe an deutlich mehr, obwohl beide Gruppen insgesamt gleich viel Zeit "
               "mit Lernen verbracht hatten.",
               [("Wie lernte die erste Gruppe?",
                 ["Einmal pro Woche sieben Stunden", "Nur vor der Prüfung", "Jeden Tag eine Stunde", "Zwei Stunden am Wochenende"], "3"),
                ("Was sagt der Text über die gesamte Lernzeit?",
                 ["Sie war für beide Gruppen gleich", "Die erste Gruppe lernte länger", "Die zweite Gruppe lernte länger", "Sie wurde nicht gemessen"], "1")]),
        "sw": ("Watafiti walifuatilia makundi mawili ya wanafunzi kwa muhula mmoja. Kundi la kwanza lilisoma kwa "
               "saa moja kila siku, huku la pili likisoma kwa saa saba siku moja tu kila wiki. Mwishoni mwa "
               "muhula, kundi la kwanza lilikumbuka mambo mengi zaidi kwa kiasi kikubwa, ingawa makundi yote "
               "mawili yalitumia muda uleule kwa jumla kusoma.",
               [("Kundi la kwanza lilisoma vipi?",
                 ["Saa saba mara moja kwa wiki", "Kabla ya mtihani tu", "Saa moja kila siku", "Saa mbili wikendi"], "3"),
                ("Kifungu kinasema nini kuhusu jumla ya muda wa kusoma?",
                 ["Ulikuwa sawa kwa makundi yote mawili", "Kundi la kwanza lilisoma muda mrefu zaidi", "Kundi la pili lilisoma muda mrefu zaidi", "Haukupimwa"], "1")]),
    },
    {
        "en": ("The first section of the new railway line will open in May and connect the airport with the city "
               "centre in eighteen minutes. A second section, to the northern suburbs, is planned for 2030. "
               "Tickets will cost the same as on city buses.",
               [("How long will the trip from the airport to the centre take?",
                 ["Eight minutes", "Eighteen minutes", "Thirty minutes", "Eighty minutes"], "2"),
                ("How much will a ticket cost?",
                 ["Twice as much as a bus ticket", "Nothing", "The same as a city bus ticket", "Half the price of a taxi"], "3")]),
        "de": ("Der erste Abschnitt der neuen Bahnstrecke wird im Mai eröffnet und verbindet den Flughafen in "
               "achtzehn Minuten mit dem Stadtzentrum. Ein zweiter Abschnitt in die nördlichen Vororte ist für "
               "2030 geplant. Die Fahrkarten werden genauso viel kosten wie in den Stadtbussen.",
               [("Wie lange wird die Fahrt vom Flughafen ins Zentrum dauern?",
                 ["Acht Minuten", "Achtzehn Minuten", "Dreißig Minuten", "Achtzig Minuten"], "2"),
                ("Wie viel wird eine Fahrkarte kosten?",
                 ["Doppelt so viel wie ein Busticket", "Nichts", "Genauso viel wie ein Ticket für den Stadtbus", "Die Hälfte einer Taxifahrt"], "3")]),
        "sw": ("Sehemu ya kwanza ya reli mpya itafunguliwa mwezi Mei na itaunganisha uwanja wa ndege na katikati "
               "ya jiji kwa dakika kumi na nane. Sehemu ya pili, kuelekea vitongoji vya kaskazini, imepangwa "
               "kwa mwaka 2030. Tiketi zitagharimu sawa na za mabasi ya jiji.",
               [("Safari kutoka uwanja wa ndege hadi katikati ya jiji itachukua muda gani?",
                 ["Dakika nane", "Dakika kumi na nane", "Dakika thelathini", "Dakika themanini"], "2"),
                ("Tiketi itagharimu kiasi gani?",
                 ["Mara mbili ya tiketi ya basi", "Haitalipiwa chochote", "Sawa na tiketi ya basi la jiji", "Nusu ya nauli ya teksi"], "3")]),
    },
    {
        "en": ("Sea turtles lay their eggs on sandy beaches at night. After about two months the young turtles "
               "hatch and head for the water, guided by the light of the sky over the sea. Bright lights from "
               "hotels can confuse them and lead them inland instead.",
               [("When do sea turtles lay their eggs?",
                 ["At night", "At noon", "In the early morning", "During storms"], "1"),
                ("Why can hotel lights be dangerous for young turtles?",
                 ["They warm the sand too much", "They attract birds that eat turtles", "They wake the mothers", "They lead the turtles away from the sea"], "4")]),
        "de": ("Meeresschildkröten legen ihre Eier nachts an Sandstränden ab. Nach etwa zwei Monaten schlüpfen die "
               "Jungtiere und machen sich auf den Weg zum Wasser, geleitet vom Licht des Himmels über dem Meer. "
               "Helle Lichter von Hotels können sie verwirren und stattdessen ins Landesinnere führen.",
               [("Wann legen Meeresschildkröten ihre Eier ab?",
                 ["Nachts", "Mittags", "Am frühen Morgen", "Bei Sturm"], "1"),
                ("Warum können Hotellichter für junge Schildkröten gefährlich sein?",
                 ["Sie erwärmen den Sand zu stark", "Sie locken Vögel an, die Schildkröten fressen", "Sie wecken die Muttertiere", "Sie führen die Schildkröten vom Meer weg"], "4")]),
        "sw": ("Kasa wa baharini hutaga mayai yao kwenye fukwe za mchanga usiku. Baada ya takriban miezi miwili, "
               "kasa wachanga huanguliwa na kuelekea majini, wakiongozwa na mwanga wa anga juu ya bahari. Taa "
               "kali za hoteli zinaweza kuwachanganya na kuwaelekeza nchi kavu badala yake.",
               [("Kasa wa baharini hutaga mayai lini?",
                 ["Usiku", "Mchana", "Alfajiri", "Wakati wa dhoruba"], "1"),
                ("Kwa nini taa za hoteli zinaweza kuwa hatari kwa kasa wachanga?",
                 ["Zinapasha mchanga joto kupita kiasi", "Zinavutia ndege wanaokula kasa", "Zinawaamsha kasa mama", "Zinawaelekeza mbali na bahari"], "4")]),
    },
]


def _mcqa() -> None:
    feats = Features({
        "link": S, "question_number": Value("int64"), "flores_passage": S, "question": S,
        "mc_answer1": S, "mc_answer2": S, "mc_answer3": S, "mc_answer4": S,
        "correct_answer_num": S, "dialect": S, "ds": S,
    })
    for lang, config in (("en", "eng_Latn"), ("de", "deu_Latn"), ("sw", "swh_Latn")):
        rows = []
        for p, passage in enumerate(BELEBELE, start=1):
            text, questions = passage[lang]
            for q, (question, choices, answer) in enumerate(questions, start=1):
                rows.append({
                    "link": f"https://example.org/stdata-sample/passage-{p}",
                    "question_number": q,
                    "flores_passage": text,
                    "question": question,
                    **{f"mc_answer{k}": c for k, c in enumerate(choices, start=1)},
                    "correct_answer_num": answer,
                    "dialect": config,
                    "ds": "2024-01-01",
                })
        add("facebook/belebele", "CC BY-SA 4.0", config, "test", rows, feats)


# ---------------------------------------------------------------------------------------------
# headline: masakhane/masakhanews (validation; label ClassLabel of 7 news topics, unused here;
# headline_text = headline + " " + text).
# ---------------------------------------------------------------------------------------------

NEWS_LABELS = ["business", "entertainment", "health", "politics", "religion", "sports", "technology"]

NEWS = {
    "eng": [
        ("business", "Coffee farmers get higher prices as harvest shrinks",
         "Coffee farmers in the highlands are being paid almost a third more per kilo this season. Traders say a "
         "dry spell cut the harvest, while demand from abroad has stayed strong. Farmers' groups hope the extra "
         "income will be used to replace old trees."),
        ("entertainment", "Local choir wins first prize at national music festival",
         "A church choir from a small lakeside town has won the top prize at the national music festival. The 40 "
         "singers performed three songs in different languages. Their conductor said the group had practised "
         "every evening for six months."),
        ("health", "Free eye tests offered to pupils in rural schools",
         "More than 5,000 pupils in rural schools will receive free eye tests this year. Health officials say "
         "many children struggle in class because they cannot see the board clearly. Pupils who need glasses "
         "will get them at no cost."),
        ("politics", "Parliament passes law on plastic bags",
         "Members of parliament have voted to ban thin plastic shopping bags from January. Shops that continue to "
         "hand them out could be fined. Supporters of the law say the bags block drains and harm animals, while "
         "some traders asked for more time to find alternatives."),
        ("religion", "Thousands gather for the reopening of the restored cathedral",
         "Thousands of worshippers attended a service to mark the reopening of the city's cathedral after five "
         "years of repairs. The roof and the old stained-glass windows were restored with help from local "
         "craftspeople. The bishop thanked everyone who had donated money to the project."),
        ("sports", "Marathon winner sets new course record",
         "The winner of Sunday's city marathon finished the race in two hours and six minutes, a new course "
         "record. She pulled away from the leading group after 30 kilometres and was never caught. Around 12,000 "
         "runners took part."),
        ("technology", "Mobile app helps farmers check the weather",
         "A new mobile phone app sends farmers daily weather forecasts and advice on when to plant. The service "
         "also works on basic phones through text messages. Its developers say more than 20,000 farmers signed "
         "up in the first month."),
        ("business", "Central bank cuts interest rate for the first time in two years",
         "The central bank has lowered its main interest rate by half a percentage point. It said prices were "
         "now rising more slowly and that businesses needed cheaper loans. Economists had expected the move."),
        ("sports", "Under-17 team reaches continental final",
         "The national under-17 football team has reached the final of the continental championship after "
         "beating the hosts 2-1. The winning goal came in the last minute of the match. The final will be "
         "played on Saturday."),
        ("health", "New clinic brings maternity care closer to villages",
         "A new health clinic with a maternity ward has opened in a district where women once had to travel 60 "
         "kilometres to give birth. The clinic has two midwives and an ambulance. Local leaders said it would "
         "save lives."),
        ("politics", "Opposition parties agree to field a joint candidate",
         "Three opposition parties have agreed to back a single candidate in next year's presidential election. "
         "Their leaders signed the agreement at a meeting in the capital on Tuesday. The candidate will be "
         "chosen by the end of the month."),
        ("technology", "Solar-powered internet kiosks open in market towns",
         "Ten internet kiosks powered by solar panels have opened in market towns across the region. Traders can "
         "use them to charge phones, print documents and make online payments. The project is funded by a group "
         "of local banks."),
        ("religion", "Mosque opens its doors to neighbours for a shared iftar",
         "A mosque in the old quarter of the city invited its neighbours of all faiths to share the evening meal "
         "that breaks the fast. More than 300 people sat down together in the courtyard. The imam said he hoped "
         "the event would become a yearly tradition."),
        ("entertainment", "Young film-makers' festival draws record crowds",
         "A festival of short films made by people under 25 drew a record 8,000 visitors this weekend. Forty "
         "films were shown in three cinemas. The prize for best film went to a documentary about a fishing family."),
        ("business", "Small traders welcome new market stalls",
         "Traders at the town's main market have moved into 200 new stalls with roofs and running water. Many of "
         "them had sold their goods from the ground for years. The town council says the rent for the stalls will "
         "stay low for the first two years."),
        ("sports", "Local boxer wins national title",
         "A 22-year-old boxer from the coast has won the national lightweight title after a close fight that "
         "went the full ten rounds. The judges were divided, but two of the three scored the fight in her favour. "
         "She now hopes to compete abroad."),
    ],
    "swa": [
        ("business", "Wakulima wa kahawa wapata bei nzuri huku mavuno yakipungua",
         "Wakulima wa kahawa katika nyanda za juu wanalipwa karibu theluthi moja zaidi kwa kila kilo msimu huu. "
         "Wafanyabiashara wanasema kipindi cha ukame kilipunguza mavuno, huku mahitaji kutoka nje ya nchi "
         "yakibaki juu. Vikundi vya wakulima vinatumaini kuwa mapato hayo ya ziada yatatumika kupanda miche mipya."),
        ("entertainment", "Kwaya ya mtaa yashinda tuzo ya kwanza kwenye tamasha la kitaifa la muziki",
         "Kwaya ya kanisa kutoka mji mdogo ulio kando ya ziwa imeshinda tuzo kuu katika tamasha la kitaifa la "
         "muziki. Waimbaji 40 waliimba nyimbo tatu kwa lugha tofauti. Kiongozi wao alisema kikundi hicho "
         "kilifanya mazoezi kila jioni kwa miezi sita."),
        ("health", "Wanafunzi wa shule za vijijini kupimwa macho bure",
         "Zaidi ya wanafunzi 5,000 katika shule za vijijini watapimwa macho bila malipo mwaka huu. Maafisa wa "
         "afya wanasema watoto wengi hupata shida darasani kwa sababu hawaoni ubao vizuri. Wanafunzi "
         "watakaohitaji miwani watapewa bure."),
        ("politics", "Bunge lapitisha sheria ya mifuko ya plastiki",
         "Wabunge wamepiga kura kupiga marufuku mifuko myembamba ya plastiki kuanzia Januari. Maduka "
         "yatakayoendelea kuitoa yanaweza kutozwa faini. Wanaounga mkono sheria hiyo wanasema mifuko hiyo huziba "
         "mitaro na kudhuru wanyama, huku baadhi ya wafanyabiashara wakiomba muda zaidi kutafuta mbadala."),
        ("religion", "Maelfu wahudhuria ufunguzi wa kanisa kuu lililokarabatiwa",
         "Maelfu ya waumini walihudhuria ibada ya kuadhimisha kufunguliwa upya kwa kanisa kuu la jiji baada ya "
         "miaka mitano ya ukarabati. Paa na madirisha ya zamani ya vioo vya rangi yalikarabatiwa kwa msaada wa "
         "mafundi wa eneo hilo. Askofu aliwashukuru wote waliochangia fedha kwa mradi huo."),
        ("sports", "Mshindi wa mbio za marathoni aweka rekodi mpya",
         "Mshindi wa mbio za marathoni za jiji zilizofanyika Jumapili alimaliza kwa saa mbili na dakika sita, "
         "rekodi mpya ya njia hiyo. Aliliacha kundi la mbele baada ya kilomita 30 na hakuna aliyemfikia. "
         "Takriban wakimbiaji 12,000 walishiriki."),
        ("technology", "Programu ya simu yawasaidia wakulima kujua hali ya hewa",
         "Programu mpya ya simu huwatumia wakulima utabiri wa hali ya hewa kila siku pamoja na ushauri kuhusu "
         "wakati wa kupanda. Huduma hiyo inafanya kazi hata kwenye simu za kawaida kupitia ujumbe mfupi. "
         "Waliotengeneza programu hiyo wanasema zaidi ya wakulima 20,000 walijiandikisha katika mwezi wa kwanza."),
        ("business", "Benki kuu yapunguza kiwango cha riba kwa mara ya kwanza katika miaka miwili",
         "Benki kuu imepunguza kiwango chake kikuu cha riba kwa nusu asilimia. Ilisema bei sasa zinapanda kwa "
         "kasi ndogo na kwamba biashara zinahitaji mikopo nafuu. Wachumi walikuwa wametarajia hatua hiyo."),
        ("sports", "Timu ya vijana chini ya miaka 17 yatinga fainali ya bara",
         "Timu ya taifa ya soka ya vijana walio chini ya miaka 17 imefika fainali ya mashindano ya bara baada ya "
         "kuwafunga wenyeji mabao 2-1. Bao la ushindi lilifungwa katika dakika ya mwisho ya mchezo. Fainali "
         "itachezwa Jumamosi."),
        ("health", "Kliniki mpya yasogeza huduma za uzazi karibu na vijiji",
         "Kliniki mpya ya afya yenye wodi ya wazazi imefunguliwa katika wilaya ambako wanawake walilazimika "
         "kusafiri kilomita 60 ili kujifungua. Kliniki hiyo ina wakunga wawili na gari la wagonjwa. Viongozi wa "
         "eneo hilo walisema itaokoa maisha."),
        ("politics", "Vyama vya upinzani vyakubaliana kusimamisha mgombea mmoja",
         "Vyama vitatu vya upinzani vimekubaliana kumuunga mkono mgombea mmoja katika uchaguzi wa urais mwaka "
         "ujao. Viongozi wao walitia saini makubaliano hayo katika mkutano uliofanyika jijini Jumanne. Mgombea "
         "huyo atachaguliwa kabla ya mwisho wa mwezi."),
        ("technology", "Vibanda vya intaneti vinavyotumia nishati ya jua vyafunguliwa katika miji ya masoko",
         "Vibanda kumi vya intaneti vinavyotumia paneli za jua vimefunguliwa katika miji ya masoko katika eneo "
         "hilo. Wafanyabiashara wanaweza kuvitumia kuchaji simu, kuchapisha nyaraka na kufanya malipo mtandaoni. "
         "Mradi huo unafadhiliwa na kundi la benki za hapa nchini."),
        ("religion", "Msikiti wafungua milango kwa majirani kwa futari ya pamoja",
         "Msikiti mmoja katika mtaa wa zamani wa jiji uliwaalika majirani wa dini zote kushiriki mlo wa jioni wa "
         "kufuturu. Zaidi ya watu 300 walikaa pamoja uwanjani mwa msikiti. Imamu alisema anatumaini tukio hilo "
         "litakuwa desturi ya kila mwaka."),
        ("entertainment", "Tamasha la filamu za vijana lavutia umati mkubwa zaidi kuwahi kutokea",
         "Tamasha la filamu fupi zilizotengenezwa na vijana walio chini ya miaka 25 lilivutia wageni 8,000 "
         "mwishoni mwa wiki hii, idadi kubwa zaidi kuwahi kurekodiwa. Filamu arobaini zilionyeshwa katika kumbi "
         "tatu za sinema. Tuzo ya filamu bora ilienda kwa filamu ya makala kuhusu familia ya wavuvi."),
        ("business", "Wafanyabiashara wadogo wafurahia vibanda vipya sokoni",
         "Wafanyabiashara katika soko kuu la mji wamehamia kwenye vibanda vipya 200 vyenye paa na maji ya bomba. "
         "Wengi wao walikuwa wakiuza bidhaa zao wakiwa wameziweka chini kwa miaka mingi. Halmashauri ya mji "
         "inasema kodi ya vibanda hivyo itabaki chini kwa miaka miwili ya kwanza."),
        ("sports", "Bondia wa mtaani ashinda taji la kitaifa",
         "Bondia mwenye umri wa miaka 22 kutoka pwani ameshinda taji la kitaifa la uzani mwepesi baada ya pambano "
         "kali lililodumu raundi zote kumi. Majaji walitofautiana, lakini wawili kati ya watatu walimpa ushindi. "
         "Sasa anatumaini kushindana nje ya nchi."),
    ],
}


def _headline() -> None:
    feats = Features({"label": ClassLabel(names=NEWS_LABELS), "headline": S, "text": S, "headline_text": S, "url": S})
    for config, items in NEWS.items():
        rows = [{
            "label": NEWS_LABELS.index(label),
            "headline": headline,
            "text": text,
            "headline_text": f"{headline} {text}",
            "url": f"https://example.org/stdata-sample/{config}/{i + 1:02d}",
        } for i, (label, headline, text) in enumerate(items)]
        add("masakhane/masakhanews", "AFL-3.0", config, "validation", rows, feats)
    _mlsum()
    _xlsum()


# reciTAL/mlsum (train of config de): text, summary, topic, url, title, date ("DD/MM/YYYY" strings).
MLSUM_DE = [
    (
        "wirtschaft",
        "Kaffeebauern erhalten höhere Preise, weil die Ernte schrumpft",
        "Kaffeebauern im Hochland bekommen in dieser Saison fast ein Drittel mehr pro Kilo.",
        "Kaffeebauern im Hochland bekommen in dieser Saison fast ein Drittel mehr pro Kilo. Händler sagen, eine "
        "Trockenperiode habe die Ernte verringert, während die Nachfrage aus dem Ausland hoch geblieben sei. Die "
        "Bauernverbände hoffen, dass das zusätzliche Einkommen in neue Pflanzen fließt.",
    ),
    (
        "kultur",
        "Chor aus einer kleinen Stadt gewinnt den ersten Preis beim Musikfestival",
        "Ein Kirchenchor aus einer Kleinstadt am See hat den Hauptpreis des nationalen Musikfestivals gewonnen.",
        "Ein Kirchenchor aus einer Kleinstadt am See hat den Hauptpreis des nationalen Musikfestivals gewonnen. "
        "Die 40 Sängerinnen und Sänger trugen drei Lieder in verschiedenen Sprachen vor. Ihr Dirigent sagte, die "
        "Gruppe habe sechs Monate lang jeden Abend geprobt.",
    ),
    (
        "gesundheit",
        "Kostenlose Sehtests für Schüler auf dem Land",
        "Mehr als 5000 Schülerinnen und Schüler in ländlichen Schulen bekommen in diesem Jahr einen kostenlosen Sehtest.",
        "Mehr als 5000 Schülerinnen und Schüler in ländlichen Schulen bekommen in diesem Jahr einen kostenlosen "
        "Sehtest. Nach Angaben der Gesundheitsbehörde haben viele Kinder im Unterricht Mühe, weil sie die Tafel "
        "nicht gut sehen. Wer eine Brille braucht, erhält sie ohne Kosten.",
    ),
    (
        "politik",
        "Parlament verbietet dünne Plastiktüten",
        "Ab Januar sind dünne Plastiktüten im Handel verboten.",
        "Die Abgeordneten haben beschlossen, dünne Plastiktüten ab Januar zu verbieten. Geschäfte, die sie "
        "weiterhin ausgeben, müssen mit Bußgeldern rechnen. Befürworter sagen, die Tüten verstopften Abflüsse "
        "und schadeten Tieren, einige Händler baten um mehr Zeit für Alternativen.",
    ),
    (
        "sport",
        "Marathonsiegerin stellt neuen Streckenrekord auf",
        "Die Siegerin des Stadtmarathons lief in zwei Stunden und sechs Minuten einen neuen Streckenrekord.",
        "Die Siegerin des Stadtmarathons am Sonntag kam nach zwei Stunden und sechs Minuten ins Ziel, ein neuer "
        "Streckenrekord. Nach 30 Kilometern setzte sie sich von der Spitzengruppe ab und wurde nicht mehr "
        "eingeholt. Rund 12.000 Läuferinnen und Läufer nahmen teil.",
    ),
    (
        "digital",
        "Handy-App hilft Bauern bei der Wettervorhersage",
        "Eine neue App schickt Bauern täglich Wettervorhersagen und Tipps zur Aussaat.",
        "Eine neue Handy-App schickt Bauern jeden Tag eine Wettervorhersage und Ratschläge, wann sie säen sollen. "
        "Der Dienst funktioniert per Kurznachricht auch auf einfachen Telefonen. Nach Angaben der Entwickler "
        "meldeten sich im ersten Monat mehr als 20.000 Bauern an.",
    ),
    (
        "wirtschaft",
        "Zentralbank senkt erstmals seit zwei Jahren den Leitzins",
        "Die Zentralbank hat ihren Leitzins um einen halben Prozentpunkt gesenkt.",
        "Die Zentralbank hat ihren wichtigsten Zinssatz um einen halben Prozentpunkt gesenkt. Die Preise stiegen "
        "inzwischen langsamer, und die Unternehmen bräuchten günstigere Kredite, hieß es zur Begründung. "
        "Ökonomen hatten mit dem Schritt gerechnet.",
    ),
    (
        "sport",
        "U17-Mannschaft erreicht das Finale der Kontinentalmeisterschaft",
        "Die U17-Nationalmannschaft steht nach einem 2:1 gegen den Gastgeber im Finale.",
        "Die U17-Fußballnationalmannschaft hat mit einem 2:1-Sieg gegen den Gastgeber das Finale der "
        "Kontinentalmeisterschaft erreicht. Das Siegtor fiel in der letzten Minute. Das Endspiel findet am "
        "Samstag statt.",
    ),
    (
        "gesundheit",
        "Neue Klinik bringt Geburtshilfe in die Dörfer",
        "In einem abgelegenen Bezirk hat eine Klinik mit Entbindungsstation eröffnet.",
        "In einem Bezirk, in dem Frauen bisher 60 Kilometer bis zur nächsten Geburtsstation fahren mussten, hat "
        "eine neue Klinik mit Entbindungsstation eröffnet. Dort arbeiten zwei Hebammen, außerdem steht ein "
        "Krankenwagen bereit. Vertreter des Bezirks sagten, die Klinik werde Leben retten.",
    ),
    (
        "politik",
        "Oppositionsparteien einigen sich auf gemeinsamen Kandidaten",
        "Drei Oppositionsparteien wollen bei der Präsidentenwahl einen gemeinsamen Kandidaten unterstützen.",
        "Drei Oppositionsparteien haben vereinbart, bei der Präsidentenwahl im nächsten Jahr einen gemeinsamen "
        "Kandidaten zu unterstützen. Die Parteichefs unterzeichneten die Vereinbarung am Dienstag in der "
        "Hauptstadt. Der Kandidat soll bis Ende des Monats bestimmt werden.",
    ),
    (
        "digital",
        "Solarbetriebene Internetkioske in Marktstädten eröffnet",
        "Zehn Internetkioske mit Solarstrom haben in den Marktstädten der Region eröffnet.",
        "In den Marktstädten der Region haben zehn Internetkioske eröffnet, die mit Solarstrom betrieben werden. "
        "Händler können dort Telefone laden, Dokumente drucken und online bezahlen. Das Projekt wird von einer "
        "Gruppe örtlicher Banken finanziert.",
    ),
    (
        "religion",
        "Tausende feiern die Wiedereröffnung des restaurierten Doms",
        "Nach fünf Jahren Renovierung ist der Dom der Stadt wieder geöffnet.",
        "Tausende Gläubige haben an einem Gottesdienst zur Wiedereröffnung des Doms nach fünf Jahren Renovierung "
        "teilgenommen. Das Dach und die alten Buntglasfenster wurden mit Hilfe örtlicher Handwerker restauriert. "
        "Der Bischof dankte allen, die Geld für das Projekt gespendet hatten.",
    ),
    (
        "wirtschaft",
        "Kleine Händler freuen sich über neue Marktstände",
        "Die Händler des Hauptmarkts sind in 200 neue überdachte Stände umgezogen.",
        "Die Händler auf dem Hauptmarkt der Stadt sind in 200 neue Stände mit Dach und fließendem Wasser "
        "umgezogen. Viele von ihnen hatten ihre Waren jahrelang auf dem Boden verkauft. Die Stadt verspricht, "
        "dass die Miete in den ersten beiden Jahren niedrig bleibt.",
    ),
    (
        "sport",
        "Boxerin von der Küste holt den nationalen Titel",
        "Eine 22-jährige Boxerin hat nach zehn Runden den nationalen Titel im Leichtgewicht gewonnen.",
        "Eine 22 Jahre alte Boxerin von der Küste hat nach einem knappen Kampf über die volle Distanz von zehn "
        "Runden den nationalen Titel im Leichtgewicht gewonnen. Die Punktrichter waren sich uneins, zwei von "
        "dreien werteten für sie. Nun hofft sie auf Kämpfe im Ausland.",
    ),
    (
        "religion",
        "Moschee lädt Nachbarn zum gemeinsamen Fastenbrechen ein",
        "Eine Moschee in der Altstadt hat Nachbarn aller Religionen zum Iftar eingeladen.",
        "Eine Moschee in der Altstadt hat ihre Nachbarn aller Religionen zum abendlichen Fastenbrechen "
        "eingeladen. Mehr als 300 Menschen saßen gemeinsam im Innenhof. Der Imam sagte, er hoffe, daraus werde "
        "eine jährliche Tradition.",
    ),
    (
        "kultur",
        "Festival junger Filmemacher lockt so viele Besucher wie nie",
        "Ein Kurzfilmfestival für Filmemacher unter 25 Jahren zählte 8000 Besucher.",
        "Ein Festival für Kurzfilme von Menschen unter 25 Jahren hat an diesem Wochenende 8000 Besucher "
        "angezogen, so viele wie nie zuvor. In drei Kinos liefen vierzig Filme. Der Preis für den besten Film "
        "ging an einen Dokumentarfilm über eine Fischerfamilie.",
    ),
]

# csebuetnlp/xlsum (train of config spanish): id, url, title, summary, text.
XLSUM_ES = [
    (
        "Los productores de café reciben mejores precios por la menor cosecha",
        "Los caficultores de las tierras altas cobran casi un tercio más por kilo esta temporada.",
        "Los caficultores de las tierras altas cobran casi un tercio más por kilo esta temporada. Los comerciantes "
        "dicen que una sequía redujo la cosecha, mientras que la demanda del exterior se mantuvo alta. Las "
        "asociaciones de productores esperan que el ingreso adicional sirva para renovar los cafetales.",
    ),
    (
        "Un coro de un pueblo gana el primer premio del festival nacional de música",
        "Un coro parroquial de un pequeño pueblo junto al lago ganó el premio principal.",
        "Un coro parroquial de un pequeño pueblo junto al lago ganó el premio principal del festival nacional de "
        "música. Los 40 cantantes interpretaron tres canciones en distintos idiomas. Su director contó que el "
        "grupo ensayó todas las tardes durante seis meses.",
    ),
    (
        "Pruebas de la vista gratuitas para alumnos de escuelas rurales",
        "Más de 5.000 alumnos de escuelas rurales recibirán este año un examen de la vista gratuito.",
        "Más de 5.000 alumnos de escuelas rurales recibirán este año un examen de la vista gratuito. Las "
        "autoridades sanitarias dicen que muchos niños tienen dificultades en clase porque no ven bien la "
        "pizarra. Quienes necesiten gafas las recibirán sin costo.",
    ),
    (
        "El Parlamento prohíbe las bolsas de plástico finas",
        "Desde enero estará prohibido entregar bolsas de plástico finas en los comercios.",
        "Los diputados votaron a favor de prohibir las bolsas de plástico finas a partir de enero. Las tiendas "
        "que sigan entregándolas podrán ser multadas. Los defensores de la ley dicen que las bolsas tapan los "
        "desagües y dañan a los animales, y algunos comerciantes pidieron más tiempo para buscar alternativas.",
    ),
    (
        "La ganadora del maratón bate el récord del recorrido",
        "La ganadora del maratón de la ciudad terminó en dos horas y seis minutos, un nuevo récord.",
        "La ganadora del maratón de la ciudad del domingo terminó la carrera en dos horas y seis minutos, un "
        "nuevo récord del recorrido. Se escapó del grupo de cabeza en el kilómetro 30 y nadie la alcanzó. "
        "Participaron unos 12.000 corredores.",
    ),
    (
        "Una aplicación móvil ayuda a los agricultores a conocer el tiempo",
        "Una nueva aplicación envía a los agricultores el pronóstico diario y consejos de siembra.",
        "Una nueva aplicación para teléfonos móviles envía a los agricultores el pronóstico del tiempo cada día y "
        "consejos sobre cuándo sembrar. El servicio también funciona en teléfonos sencillos mediante mensajes de "
        "texto. Sus creadores dicen que más de 20.000 agricultores se inscribieron el primer mes.",
    ),
    (
        "El banco central baja los tipos de interés por primera vez en dos años",
        "El banco central redujo su tipo de interés principal en medio punto porcentual.",
        "El banco central redujo su tipo de interés principal en medio punto porcentual. Explicó que los precios "
        "suben ahora más despacio y que las empresas necesitan créditos más baratos. Los economistas esperaban "
        "la medida.",
    ),
    (
        "La selección sub-17 llega a la final continental",
        "La selección sub-17 venció 2-1 al anfitrión y jugará la final el sábado.",
        "La selección nacional de fútbol sub-17 se clasificó para la final del campeonato continental tras vencer "
        "2-1 al anfitrión. El gol de la victoria llegó en el último minuto. La final se jugará el sábado.",
    ),
    (
        "Una nueva clínica acerca la atención materna a las aldeas",
        "Abrió una clínica con sala de maternidad en un distrito alejado.",
        "Abrió una nueva clínica con sala de maternidad en un distrito donde las mujeres tenían que viajar 60 "
        "kilómetros para dar a luz. La clínica cuenta con dos parteras y una ambulancia. Los líderes locales "
        "dijeron que salvará vidas.",
    ),
    (
        "Los partidos de la oposición acuerdan presentar un candidato único",
        "Tres partidos de la oposición apoyarán a un solo candidato en las elecciones presidenciales.",
        "Tres partidos de la oposición acordaron respaldar a un único candidato en las elecciones presidenciales "
        "del próximo año. Sus líderes firmaron el acuerdo el martes en la capital. El candidato será elegido "
        "antes de fin de mes.",
    ),
    (
        "Abren quioscos de internet con energía solar en los pueblos con mercado",
        "Diez quioscos de internet alimentados con paneles solares abrieron en la región.",
        "Diez quioscos de internet alimentados con paneles solares abrieron en los pueblos con mercado de la "
        "región. Los comerciantes pueden cargar sus teléfonos, imprimir documentos y hacer pagos en línea. El "
        "proyecto lo financia un grupo de bancos locales.",
    ),
    (
        "Miles de personas celebran la reapertura de la catedral restaurada",
        "La catedral de la ciudad reabrió tras cinco años de obras.",
        "Miles de fieles asistieron a una misa para celebrar la reapertura de la catedral de la ciudad tras "
        "cinco años de obras. El techo y las antiguas vidrieras fueron restaurados con ayuda de artesanos "
        "locales. El obispo agradeció a todos los que donaron dinero para el proyecto.",
    ),
    (
        "Los pequeños comerciantes estrenan puestos en el mercado",
        "Los vendedores del mercado central se trasladaron a 200 puestos nuevos con techo.",
        "Los vendedores del mercado central del pueblo se trasladaron a 200 puestos nuevos con techo y agua "
        "corriente. Muchos de ellos vendían sus productos en el suelo desde hacía años. El ayuntamiento "
        "asegura que el alquiler seguirá siendo bajo durante los dos primeros años.",
    ),
    (
        "Una boxeadora de la costa gana el título nacional",
        "Una boxeadora de 22 años ganó el título nacional de peso ligero tras diez asaltos.",
        "Una boxeadora de 22 años de la costa ganó el título nacional de peso ligero tras un combate ajustado "
        "que duró los diez asaltos. Los jueces no se pusieron de acuerdo, pero dos de los tres le dieron la "
        "victoria. Ahora espera competir en el extranjero.",
    ),
    (
        "Una mezquita invita a sus vecinos a romper el ayuno juntos",
        "Una mezquita del casco antiguo invitó a vecinos de todas las religiones a la cena del iftar.",
        "Una mezquita del casco antiguo de la ciudad invitó a sus vecinos de todas las religiones a compartir la "
        "cena con la que se rompe el ayuno. Más de 300 personas se sentaron juntas en el patio. El imán dijo "
        "que espera que el encuentro se convierta en una tradición anual.",
    ),
    (
        "Un festival de cine joven bate su récord de público",
        "Un festival de cortometrajes de menores de 25 años recibió 8.000 visitantes.",
        "Un festival de cortometrajes hechos por menores de 25 años atrajo este fin de semana a 8.000 "
        "visitantes, una cifra récord. Se proyectaron cuarenta películas en tres cines. El premio a la mejor "
        "película fue para un documental sobre una familia de pescadores.",
    ),
]


def _mlsum() -> None:
    feats = Features({"text": S, "summary": S, "topic": S, "url": S, "title": S, "date": S})
    rows = [{
        "text": text, "summary": summary, "topic": topic,
        "url": f"https://example.org/stdata-sample/mlsum/de/{i + 1:02d}", "title": title, "date": f"{i + 1:02d}/03/2019",
    } for i, (topic, title, summary, text) in enumerate(MLSUM_DE)]
    add("reciTAL/mlsum", "non-commercial research use only (MLSUM terms)", "de", "train", rows, feats)


def _xlsum() -> None:
    feats = Features({"id": S, "url": S, "title": S, "summary": S, "text": S})
    rows = [{
        "id": f"muestra-{i + 1:08d}", "url": f"https://example.org/stdata-sample/xlsum/spanish/{i + 1:02d}",
        "title": title, "summary": summary, "text": text,
    } for i, (title, summary, text) in enumerate(XLSUM_ES)]
    add("csebuetnlp/xlsum", "CC BY-NC-SA 4.0", "spanish", "train", rows, feats)


# ---------------------------------------------------------------------------------------------
# intent: AmazonScience/massive (train; intent and scenario are ClassLabels). Rows are written as
# annot_utt ("[slot : value]"); utt and slot_method are derived from it.
# ---------------------------------------------------------------------------------------------

MASSIVE_INTENTS = [
    "datetime_query", "iot_hue_lightchange", "transport_ticket", "takeaway_query", "qa_stock", "general_greet",
    "recommendation_events", "music_dislikeness", "iot_wemo_off", "cooking_recipe", "qa_currency",
    "transport_traffic", "general_quirky", "weather_query", "audio_volume_up", "email_addcontact",
    "takeaway_order", "email_querycontact", "iot_hue_lightup", "recommendation_locations", "play_audiobook",
    "lists_createoradd", "news_query", "alarm_query", "iot_wemo_on", "general_joke", "qa_definition",
    "social_query", "music_settings", "audio_volume_other", "calendar_remove", "iot_hue_lightdim",
    "calendar_query", "email_sendemail", "iot_cleaning", "audio_volume_down", "play_radio", "cooking_query",
    "datetime_convert", "qa_maths", "iot_hue_lightoff", "iot_hue_lighton", "transport_query", "music_likeness",
    "email_query", "play_music", "audio_volume_mute", "social_post", "alarm_set", "qa_factoid", "calendar_set",
    "play_game", "alarm_remove", "lists_remove", "transport_taxi", "recommendation_movies", "iot_coffee",
    "music_query", "play_podcasts", "lists_query",
]
MASSIVE_SCENARIOS = [
    "social", "transport", "calendar", "play", "news", "datetime", "recommendation", "email", "iot", "general",
    "audio", "lists", "qa", "cooking", "takeaway", "music", "alarm", "weather",
]

# (intent, en-US, de-DE, sw-KE): annotated utterances, lower-case and unpunctuated like MASSIVE
MASSIVE = [
    ("alarm_set", "wake me up at [time : seven am] [date : tomorrow]",
     "weck mich [date : morgen] um [time : sieben uhr]",
     "niamshe [date : kesho] [time : saa moja asubuhi]"),
    ("alarm_set", "set an alarm for [time : half past six]",
     "stell einen wecker auf [time : halb sieben]",
     "weka kengele ya [time : saa kumi na mbili na nusu]"),
    ("weather_query", "what's the weather like in [place_name : berlin] [date : today]",
     "wie ist das wetter [date : heute] in [place_name : berlin]",
     "hali ya hewa ikoje [place_name : mombasa] [date : leo]"),
    ("weather_query", "will it rain [date : this weekend]",
     "wird es [date : am wochenende] regnen",
     "je mvua itanyesha [date : wikendi hii]"),
    ("play_music", "play some [music_genre : jazz]",
     "spiel etwas [music_genre : jazz]",
     "cheza muziki wa [music_genre : jazz]"),
    ("play_music", "put on the latest song by [artist_name : adele]",
     "spiel das neueste lied von [artist_name : adele]",
     "weka wimbo mpya wa [artist_name : sauti sol]"),
    ("iot_hue_lightoff", "turn off the lights in the [house_place : kitchen]",
     "schalte das licht in der [house_place : küche] aus",
     "zima taa za [house_place : jikoni]"),
    ("iot_hue_lightoff", "switch the [house_place : bedroom] lights off",
     "mach das licht im [house_place : schlafzimmer] aus",
     "zima taa ya [house_place : chumba cha kulala]"),
    ("calendar_set", "add a meeting with [person : anna] to my calendar [date : on friday]",
     "trag ein treffen mit [person : anna] [date : am freitag] in meinen kalender ein",
     "weka mkutano na [person : amina] kwenye kalenda yangu [date : ijumaa]"),
    ("calendar_set", "remind me to call [relation : mum] [date : tomorrow] at [time : five pm]",
     "erinnere mich daran [relation : mama] [date : morgen] um [time : fünf uhr nachmittags] anzurufen",
     "nikumbushe kumpigia simu [relation : mama] [date : kesho] [time : saa kumi na moja jioni]"),
    ("transport_taxi", "book a taxi to the [place_name : airport]",
     "bestell mir ein taxi zum [place_name : flughafen]",
     "niitie teksi ya kwenda [place_name : uwanja wa ndege]"),
    ("transport_taxi", "i need a cab at [time : eight] to go to work",
     "ich brauche um [time : acht] ein taxi zur arbeit",
     "nahitaji teksi [time : saa mbili] kwenda kazini"),
    ("general_joke", "tell me a joke",
     "erzähl mir einen witz",
     "nisimulie kichekesho"),
    ("general_joke", "make me laugh with a joke",
     "bring mich mit einem witz zum lachen",
     "nichekeshe kwa mzaha mmoja"),
    ("cooking_recipe", "how do i make [food_type : pancakes]",
     "wie mache ich [food_type : pfannkuchen]",
     "jinsi ya kupika [food_type : chapati]"),
    ("cooking_recipe", "give me a recipe for [food_type : tomato soup]",
     "gib mir ein rezept für [food_type : tomatensuppe]",
     "nipe mapishi ya [food_type : supu ya nyanya]"),
]

_SLOT = re.compile(r"\[(\w+) : ([^\]]+)\]")


def _intent() -> None:
    feats = Features({
        "id": S, "locale": S, "partition": S,
        "scenario": ClassLabel(names=MASSIVE_SCENARIOS),
        "intent": ClassLabel(names=MASSIVE_INTENTS),
        "utt": S, "annot_utt": S, "worker_id": S,
        "slot_method": {"slot": List(S), "method": List(S)},
        "judgments": {
            "worker_id": List(S), "intent_score": List(Value("int8")), "slots_score": List(Value("int8")),
            "grammar_score": List(Value("int8")), "spelling_score": List(Value("int8")),
            "language_identification": List(S),
        },
    })
    for col, locale in ((1, "en-US"), (2, "de-DE"), (3, "sw-KE")):
        rows = []
        for i, r in enumerate(MASSIVE):
            intent, annot = r[0], r[col]
            slots = [m.group(1) for m in _SLOT.finditer(annot)]
            english = locale == "en-US"  # en-US is the SLURP original: no localisation methods or judgments
            rows.append({
                "id": str(100 + i),
                "locale": locale,
                "partition": "train",
                "scenario": MASSIVE_SCENARIOS.index(intent.split("_")[0]),
                "intent": MASSIVE_INTENTS.index(intent),
                "utt": _SLOT.sub(lambda m: m.group(2), annot),
                "annot_utt": annot,
                "worker_id": "0",
                "slot_method": {"slot": [] if english else slots, "method": [] if english else ["translation"] * len(slots)},
                "judgments": {
                    "worker_id": [] if english else ["1"], "intent_score": [] if english else [1],
                    "slots_score": [] if english else [1], "grammar_score": [] if english else [4],
                    "spelling_score": [] if english else [2], "language_identification": [] if english else ["target"],
                },
            })
        add("AmazonScience/massive", "CC BY 4.0", locale, "train", rows, feats)


# ---------------------------------------------------------------------------------------------
# wsd: pasinit/xlwic (train of xlwic_en_it = English WiC, train of xlwic_de_de = German Wiktionary).
# The target word is marked [like this] below; the markers give target_word_location_1/2.
# label 1 = same sense (WiC convention), a plain integer.
# ---------------------------------------------------------------------------------------------

XLWIC = {
    "xlwic_en_it": ("en", [
        ("bank", "N", "We sat on the [bank] of the river and watched the boats.", "She opened an account at the [bank] near her office.", 0),
        ("run", "V", "He [runs] five kilometres every morning.", "The children [ran] across the playground.", 1),
        ("light", "N", "Turn on the [light], it is getting dark.", "The [light] from the lamp fell on the open page.", 1),
        ("key", "N", "I lost the [key] to my front door.", "Practice is the [key] to success.", 0),
        ("play", "V", "The kids [play] football after school.", "She [plays] the violin in an orchestra.", 0),
        ("paper", "N", "He wrote the address on a piece of [paper].", "She reads the [paper] every morning over breakfast.", 0),
        ("break", "V", "Be careful not to [break] the glass.", "He dropped the plate and [broke] it.", 1),
        ("table", "N", "We bought a new kitchen [table].", "The results are shown in the [table] below.", 0),
        ("catch", "V", "Try to [catch] the ball with both hands.", "The goalkeeper [caught] the shot easily.", 1),
        ("head", "N", "She nodded her [head] in agreement.", "He is the [head] of the science department.", 0),
        ("plant", "N", "Water the [plant] once a week.", "The [plant] on the windowsill has grown new leaves.", 1),
        ("drive", "V", "She [drives] to work every day.", "The noise is [driving] me crazy.", 0),
        ("letter", "N", "I received a [letter] from my grandmother.", "The word starts with the [letter] B.", 0),
        ("open", "V", "Please [open] the window.", "He [opened] the box carefully.", 1),
    ]),
    "xlwic_de_de": ("de", [
        ("Bank", "N", "Wir saßen auf einer [Bank] im Park.", "Sie hat bei der [Bank] einen Kredit beantragt.", 0),
        ("laufen", "V", "Er [läuft] jeden Morgen fünf Kilometer.", "Die Kinder [liefen] über den Schulhof.", 1),
        ("Schloss", "N", "Das [Schloss] liegt hoch über dem Tal.", "Der Schlüssel passt nicht ins [Schloss].", 0),
        ("Decke", "N", "Im Winter schlafe ich unter einer dicken [Decke].", "Die [Decke] des Zimmers ist sehr hoch.", 0),
        ("Zug", "N", "Der [Zug] nach München hat Verspätung.", "Wir sind mit dem [Zug] nach Hamburg gefahren.", 1),
        ("Leiter", "N", "Er stieg auf die [Leiter], um die Lampe zu wechseln.", "Der [Leiter] der Abteilung ist heute nicht im Büro.", 0),
        ("Birne", "N", "Zum Nachtisch gab es eine reife [Birne].", "Die [Birne] in der Lampe ist durchgebrannt.", 0),
        ("schreiben", "V", "Sie [schreibt] ihrer Freundin einen Brief.", "Er [schrieb] seinen Namen auf das Formular.", 1),
        ("Flügel", "N", "Der Vogel hat sich den [Flügel] verletzt.", "Im Saal steht ein schwarzer [Flügel].", 0),
        ("Ball", "N", "Der Hund bringt den [Ball] zurück.", "Sie warf den [Ball] über den Zaun.", 1),
        ("Absatz", "N", "Die Schuhe haben einen hohen [Absatz].", "Lies bitte den zweiten [Absatz] des Textes.", 0),
        ("Blatt", "N", "Ein gelbes [Blatt] fiel vom Baum.", "Im Herbst verliert die Eiche jedes [Blatt].", 1),
        ("Mutter", "N", "Meine [Mutter] wohnt in Köln.", "Zieh die [Mutter] an der Schraube fest.", 0),
        ("kochen", "V", "Am Sonntag [kocht] mein Vater das Mittagessen.", "Sie [kocht] heute Abend Spaghetti für alle.", 1),
    ]),
}


def _unmark(sentence: str) -> tuple[str, dict[str, int]]:
    start = sentence.index("[")
    end = sentence.index("]")
    plain = sentence[:start] + sentence[start + 1 : end] + sentence[end + 1 :]
    return plain, {"char_start": start, "char_end": end - 1}


def _wsd() -> None:
    loc = {"char_start": Value("int32"), "char_end": Value("int32")}
    feats = Features({
        "id": S, "context_1": S, "context_2": S, "target_word": S, "pos": S,
        "target_word_location_1": loc, "target_word_location_2": loc, "language": S, "label": Value("int32"),
    })
    for config, (lang, items) in XLWIC.items():
        rows = []
        for i, (word, pos, s1, s2, label) in enumerate(items):
            c1, l1 = _unmark(s1)
            c2, l2 = _unmark(s2)
            rows.append({
                "id": f"{lang}_{i + 1}", "context_1": c1, "context_2": c2, "target_word": word, "pos": pos,
                "target_word_location_1": l1, "target_word_location_2": l2, "language": lang.upper(), "label": label,
            })
        add("pasinit/xlwic", "CC BY-NC 4.0", config, "train", rows, feats)


# ---------------------------------------------------------------------------------------------
# xnli (eval): facebook/xnli validation; five premises with one hypothesis per label, en/de/sw.
# ---------------------------------------------------------------------------------------------

XNLI_LABELS = ["entailment", "neutral", "contradiction"]

XNLI = {
    "en": [
        ("The museum is closed on Mondays, but it stays open late on Thursdays.", [
            ("The museum is not open every day of the week.", "entailment"),
            ("The museum gets most of its visitors on Thursdays.", "neutral"),
            ("You can visit the museum on any day, including Monday.", "contradiction")]),
        ("My brother fixed the old bicycle and now rides it to work.", [
            ("My brother could not repair the bicycle.", "contradiction"),
            ("The bicycle works again.", "entailment"),
            ("My brother's job is close to his home.", "neutral")]),
        ("The farmers waited for weeks, but the rain did not come until the end of the season.", [
            ("The harvest was the worst in ten years.", "neutral"),
            ("It rained heavily at the start of the season.", "contradiction"),
            ("The rain came late.", "entailment")]),
        ("She read the letter twice and then put it in the drawer without saying a word.", [
            ("She kept the letter.", "entailment"),
            ("She read the letter aloud to everyone in the room.", "contradiction"),
            ("The letter contained bad news.", "neutral")]),
        ("Most of the guests left after dinner, though a few stayed to help with the dishes.", [
            ("The dinner was held to celebrate a birthday.", "neutral"),
            ("Some guests helped clean up.", "entailment"),
            ("All the guests stayed until the next morning.", "contradiction")]),
    ],
    "de": [
        ("Das Museum ist montags geschlossen, hat aber donnerstags länger geöffnet.", [
            ("Das Museum ist nicht an jedem Wochentag geöffnet.", "entailment"),
            ("Die meisten Besucher kommen donnerstags ins Museum.", "neutral"),
            ("Man kann das Museum an jedem Tag besuchen, auch am Montag.", "contradiction")]),
        ("Mein Bruder hat das alte Fahrrad repariert und fährt jetzt damit zur Arbeit.", [
            ("Mein Bruder konnte das Fahrrad nicht reparieren.", "contradiction"),
            ("Das Fahrrad funktioniert wieder.", "entailment"),
            ("Mein Bruder arbeitet in der Nähe seiner Wohnung.", "neutral")]),
        ("Die Bauern warteten wochenlang, aber der Regen kam erst am Ende der Saison.", [
            ("Die Ernte war die schlechteste seit zehn Jahren.", "neutral"),
            ("Zu Beginn der Saison regnete es stark.", "contradiction"),
            ("Der Regen kam spät.", "entailment")]),
        ("Sie las den Brief zweimal und legte ihn dann wortlos in die Schublade.", [
            ("Sie hat den Brief aufbewahrt.", "entailment"),
            ("Sie las den Brief allen im Raum laut vor.", "contradiction"),
            ("Der Brief enthielt schlechte Nachrichten.", "neutral")]),
        ("Die meisten Gäste gingen nach dem Abendessen, aber einige blieben, um beim Abwasch zu helfen.", [
            ("Das Abendessen fand zur Feier eines Geburtstags statt.", "neutral"),
            ("Einige Gäste halfen beim Aufräumen.", "entailment"),
            ("Alle Gäste blieben bis zum nächsten Morgen.", "contradiction")]),
    ],
    "sw": [
        ("Jumba la makumbusho hufungwa siku za Jumatatu, lakini hufunguliwa hadi usiku siku za Alhamisi.", [
            ("Jumba la makumbusho halifunguliwi kila siku ya wiki.", "entailment"),
            ("Wageni wengi hutembelea jumba la makumbusho siku za Alhamisi.", "neutral"),
            ("Unaweza kutembelea jumba la makumbusho siku yoyote, hata Jumatatu.", "contradiction")]),
        ("Kaka yangu alitengeneza baiskeli ya zamani na sasa anaiendesha kwenda kazini.", [
            ("Kaka yangu alishindwa kutengeneza baiskeli.", "contradiction"),
            ("Baiskeli inafanya kazi tena.", "entailment"),
            ("Kazi ya kaka yangu iko karibu na nyumbani kwake.", "neutral")]),
        ("Wakulima walisubiri kwa wiki nyingi, lakini mvua haikunyesha hadi mwisho wa msimu.", [
            ("Mavuno yalikuwa mabaya zaidi katika miaka kumi.", "neutral"),
            ("Mvua kubwa ilinyesha mwanzoni mwa msimu.", "contradiction"),
            ("Mvua ilichelewa kunyesha.", "entailment")]),
        ("Alisoma barua hiyo mara mbili kisha akaiweka kwenye droo bila kusema neno.", [
            ("Aliihifadhi barua hiyo.", "entailment"),
            ("Aliisoma barua hiyo kwa sauti kwa kila mtu chumbani.", "contradiction"),
            ("Barua hiyo ilikuwa na habari mbaya.", "neutral")]),
        ("Wageni wengi waliondoka baada ya chakula cha jioni, ingawa wachache walibaki kusaidia kuosha vyombo.", [
            ("Chakula cha jioni kiliandaliwa kusherehekea siku ya kuzaliwa.", "neutral"),
            ("Baadhi ya wageni walisaidia kufanya usafi.", "entailment"),
            ("Wageni wote walibaki hadi asubuhi iliyofuata.", "contradiction")]),
    ],
}


def _xnli() -> None:
    feats = Features({"premise": S, "hypothesis": S, "label": ClassLabel(names=XNLI_LABELS)})
    for config, items in XNLI.items():
        rows = [{"premise": p, "hypothesis": h, "label": XNLI_LABELS.index(lab)} for p, hyps in items for h, lab in hyps]
        add("facebook/xnli", "CC BY-NC 4.0", config, "validation", rows, feats)


# ---------------------------------------------------------------------------------------------
# xcopa (eval): cambridgeltl/xcopa validation (question is English in every language; label int).
# ---------------------------------------------------------------------------------------------

# (question, label, sw (premise, choice1, choice2), et (premise, choice1, choice2))
XCOPA = [
    ("effect", 0, ("Msichana aliangusha aiskrimu yake.", "Alianza kulia.", "Alinunua gazeti."),
     ("Tüdruk pillas oma jäätise maha.", "Ta hakkas nutma.", "Ta ostis ajalehe.")),
    ("effect", 1, ("Barabara ilikuwa imefunikwa na barafu.", "Maduka yalifunguliwa mapema.", "Magari kadhaa yaliteleza nje ya barabara."),
     ("Tee oli jääga kaetud.", "Poed avati varakult.", "Mitu autot libises teelt välja.")),
    ("cause", 0, ("Mwanamume huyo alipoteza kazi yake.", "Mara nyingi alichelewa kazini.", "Aliongezewa mshahara."),
     ("Mees kaotas töö.", "Ta jäi sageli tööle hiljaks.", "Ta sai palgatõusu.")),
    ("cause", 1, ("Mimea ya bustanini ilinyauka.", "Mvua ilikuwa imenyesha wiki nzima.", "Hakuna aliyekuwa ameimwagilia maji."),
     ("Aias olevad taimed närbusid.", "Terve nädal oli sadanud vihma.", "Keegi polnud neid kastnud.")),
    ("cause", 0, ("Niliwasha feni.", "Chumba kilikuwa na joto.", "Chumba kilikuwa na giza."),
     ("Lülitasin ventilaatori sisse.", "Toas oli palav.", "Toas oli pime.")),
    ("cause", 1, ("Watoto walicheka.", "Mwalimu alikuwa amekasirika.", "Mcheshi alianguka."),
     ("Lapsed naersid.", "Õpetaja oli vihane.", "Kloun kukkus pikali.")),
    ("cause", 0, ("Mwanamke alifungua mwavuli wake.", "Mvua ilianza kunyesha.", "Jua lilizama."),
     ("Naine tegi vihmavarju lahti.", "Hakkas sadama.", "Päike loojus.")),
    ("effect", 1, ("Mtoto mchanga alikuwa na njaa.", "Alilala kimya.", "Alilia kwa sauti kubwa."),
     ("Beebi oli näljane.", "Ta jäi vaikselt magama.", "Ta nuttis valjusti.")),
    ("effect", 0, ("Mwanafunzi alisoma usiku kucha.", "Alikuwa amechoka siku iliyofuata.", "Alisahau jina lake."),
     ("Üliõpilane õppis terve öö.", "Ta oli järgmisel päeval väsinud.", "Ta unustas oma nime.")),
    ("cause", 1, ("Mkate ulikuwa umekauka.", "Ulikuwa umeokwa asubuhi hii.", "Uliachwa wazi kwa siku kadhaa."),
     ("Leib oli kuivanud.", "See oli täna hommikul küpsetatud.", "See oli mitu päeva lahtiselt seisnud.")),
    ("effect", 0, ("Betri ya simu ilikuwa imeisha.", "Simu ilijizima.", "Simu iliita kwa sauti kubwa."),
     ("Telefoni aku sai tühjaks.", "Telefon lülitus välja.", "Telefon helises valjusti.")),
    ("cause", 1, ("Umati ulishangilia.", "Mechi iliahirishwa.", "Timu ilifunga bao."),
     ("Rahvahulk hõiskas.", "Mäng jäeti ära.", "Meeskond lõi värava.")),
]


def _xcopa() -> None:
    feats = Features({
        "premise": S, "choice1": S, "choice2": S, "question": S,
        "label": Value("int64"), "idx": Value("int32"), "changed": Value("bool"),
    })
    for config, col in (("et", 3), ("sw", 2)):
        rows = [{
            "premise": r[col][0], "choice1": r[col][1], "choice2": r[col][2], "question": r[0],
            "label": r[1], "idx": i + 1, "changed": False,
        } for i, r in enumerate(XCOPA)]
        add("cambridgeltl/xcopa", "CC BY 4.0", config, "validation", rows, feats)


# ---------------------------------------------------------------------------------------------
# xstorycloze (eval): juletxara/xstory_cloze, split eval; answer_right_ending is 1 or 2.
# ---------------------------------------------------------------------------------------------

STORIES = {
    "en": [
        (["Sam wanted to bake a cake for his mother's birthday.", "He bought flour, eggs and sugar.",
          "He followed the recipe very carefully.", "The cake came out of the oven golden and soft."],
         "His mother loved the cake.", "Sam decided he would hate baking forever.", 1),
        (["Lucy found a small kitten outside in the rain.", "She brought it inside and dried it with a towel.",
          "She gave it some warm milk.", "The kitten fell asleep on her lap."],
         "Lucy put the kitten back out in the rain.", "Lucy decided to keep the kitten.", 2),
        (["Ben had a big football match on Saturday.", "He practised every day after school.",
          "On the day of the match he scored two goals.", "His team won the game."],
         "Ben celebrated with his teammates.", "Ben was sad that his team had won.", 1),
        (["Anna's car broke down on the motorway.", "She did not know how to fix it.",
          "She called her brother for help.", "He arrived an hour later with his tools."],
         "Anna's brother refused to look at the car.", "Her brother fixed the car and she drove home.", 2),
        (["Mark wanted to learn to swim.", "He signed up for lessons at the local pool.",
          "At first he was afraid of the deep water.", "After a few weeks he felt more confident."],
         "Mark swam his first full length of the pool.", "Mark sold the pool to his neighbour.", 1),
        (["Grace was nervous about her job interview.", "She prepared answers to common questions.",
          "She wore her best suit.", "The interview went very well."],
         "Grace was turned down because she arrived in pyjamas.", "A week later Grace was offered the job.", 2),
        (["The family planned a picnic in the park.", "They packed sandwiches, fruit and juice.",
          "When they arrived, dark clouds filled the sky.", "Soon it began to pour with rain."],
         "They ate their picnic in the car.", "They got sunburnt in the bright sunshine.", 1),
        (["Tom forgot his wallet at home.", "He only noticed when he reached the shop.",
          "He had no money to pay for his groceries.", "The cashier said he could pay tomorrow."],
         "Tom grabbed the groceries and ran away.", "Tom thanked the cashier and came back the next day.", 2),
        (["Nina planted tomato seeds in spring.", "She watered them every morning.",
          "The plants grew tall and strong.", "By summer they were full of red tomatoes."],
         "Nina made a salad with her own tomatoes.", "Nina had never planted anything.", 1),
        (["David's phone screen cracked when he dropped it.", "He could barely read his messages.",
          "He took the phone to a repair shop.", "The technician replaced the screen in an hour."],
         "David threw the new screen away.", "David was happy to have a working phone again.", 2),
        (["Maria moved to a new city for university.", "At first she did not know anyone.",
          "She joined the university choir.", "There she met many friendly people."],
         "Maria soon had a group of good friends.", "Maria never spoke to anyone in the choir.", 1),
        (["Peter's old shoes had holes in them.", "His feet got wet every time it rained.",
          "He saved money for a month.", "Then he went to the shoe shop."],
         "He bought a new hat instead of shoes.", "He bought a strong new pair of shoes.", 2),
    ],
    "sw": [
        (["Sam alitaka kuoka keki kwa ajili ya siku ya kuzaliwa ya mama yake.", "Alinunua unga, mayai na sukari.",
          "Alifuata maelekezo ya mapishi kwa makini sana.", "Keki ilitoka kwenye oveni ikiwa laini na ya rangi ya dhahabu."],
         "Mama yake aliipenda keki hiyo sana.", "Sam aliamua kwamba atachukia kuoka milele.", 1),
        (["Lucy alimkuta paka mdogo nje kwenye mvua.", "Alimleta ndani na kumkausha kwa taulo.",
          "Alimpa maziwa ya uvuguvugu.", "Paka huyo alilala mapajani mwake."],
         "Lucy alimrudisha paka nje kwenye mvua.", "Lucy aliamua kumfuga paka huyo.", 2),
        (["Ben alikuwa na mechi kubwa ya mpira wa miguu Jumamosi.", "Alifanya mazoezi kila siku baada ya shule.",
          "Siku ya mechi alifunga mabao mawili.", "Timu yake ilishinda mchezo."],
         "Ben alisherehekea pamoja na wachezaji wenzake.", "Ben alihuzunika kwamba timu yake ilishinda.", 1),
        (["Gari la Anna liliharibika kwenye barabara kuu.", "Hakujua jinsi ya kulitengeneza.",
          "Alimpigia simu kaka yake ili amsaidie.", "Kaka yake alifika saa moja baadaye akiwa na vifaa vyake."],
         "Kaka yake Anna alikataa kuliangalia gari.", "Kaka yake alilitengeneza gari na Anna akarudi nyumbani.", 2),
        (["Mark alitaka kujifunza kuogelea.", "Alijiandikisha kwa masomo katika bwawa la kuogelea la mtaani.",
          "Mwanzoni aliogopa maji marefu.", "Baada ya wiki chache alijiamini zaidi."],
         "Mark aliogelea urefu mzima wa bwawa kwa mara ya kwanza.", "Mark alimuuzia jirani yake bwawa hilo.", 1),
        (["Grace alikuwa na wasiwasi kuhusu usaili wake wa kazi.", "Alijiandaa kujibu maswali ya kawaida.",
          "Alivaa suti yake bora.", "Usaili ulienda vizuri sana."],
         "Grace alikataliwa kwa sababu alifika akiwa amevaa nguo za kulalia.", "Wiki moja baadaye Grace alipewa kazi hiyo.", 2),
        (["Familia ilipanga kwenda kula chakula nje katika bustani ya umma.", "Walifunga sandwichi, matunda na sharubati.",
          "Walipofika, mawingu meusi yalitanda angani.", "Muda si mrefu mvua kubwa ilianza kunyesha."],
         "Walikula chakula chao ndani ya gari.", "Waliungua kwa jua kali.", 1),
        (["Tom alisahau pochi yake nyumbani.", "Aligundua tu alipofika dukani.",
          "Hakuwa na pesa za kulipia bidhaa zake.", "Keshia alimwambia angeweza kulipa kesho."],
         "Tom alichukua bidhaa na kukimbia.", "Tom alimshukuru keshia na akarudi siku iliyofuata.", 2),
        (["Nina alipanda mbegu za nyanya mwanzoni mwa msimu wa mvua.", "Alizimwagilia maji kila asubuhi.",
          "Mimea ilikua mirefu na yenye nguvu.", "Baada ya miezi mitatu ilikuwa imejaa nyanya nyekundu."],
         "Nina alitengeneza saladi kwa nyanya zake mwenyewe.", "Nina hakuwahi kupanda chochote.", 1),
        (["Skrini ya simu ya David ilipasuka alipoiangusha.", "Hakuweza kusoma ujumbe wake vizuri.",
          "Aliipeleka simu kwa fundi.", "Fundi alibadilisha skrini ndani ya saa moja."],
         "David aliitupa skrini mpya.", "David alifurahi kuwa na simu inayofanya kazi tena.", 2),
        (["Maria alihamia mji mpya kwa ajili ya masomo ya chuo kikuu.", "Mwanzoni hakumjua mtu yeyote.",
          "Alijiunga na kwaya ya chuo.", "Huko alikutana na watu wengi wakarimu."],
         "Punde Maria alipata kundi la marafiki wazuri.", "Maria hakuwahi kuongea na mtu yeyote kwenye kwaya.", 1),
        (["Viatu vya zamani vya Peter vilikuwa na matundu.", "Miguu yake ililowa kila mvua iliponyesha.",
          "Aliweka akiba ya pesa kwa mwezi mmoja.", "Kisha akaenda kwenye duka la viatu."],
         "Alinunua kofia mpya badala ya viatu.", "Alinunua jozi mpya ya viatu imara.", 2),
    ],
}


def _xstorycloze() -> None:
    feats = Features({
        "story_id": S, "input_sentence_1": S, "input_sentence_2": S, "input_sentence_3": S, "input_sentence_4": S,
        "sentence_quiz1": S, "sentence_quiz2": S, "answer_right_ending": Value("int32"),
    })
    for config, stories in STORIES.items():
        rows = []
        for i, (context, q1, q2, right) in enumerate(stories):
            rows.append({
                # one id per story, shared across languages as in XStoryCloze
                "story_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"stdata-sample/xstory_cloze/{i + 1}")),
                **{f"input_sentence_{k}": s for k, s in enumerate(context, start=1)},
                "sentence_quiz1": q1, "sentence_quiz2": q2, "answer_right_ending": right,
            })
        add("juletxara/xstory_cloze", "CC BY-SA 4.0", config, "eval", rows, feats)


# ---------------------------------------------------------------------------------------------
# xwinograd (eval): Muennighoff/xwinograd test; one "_" blank, answer is the string "1" or "2".
# Twin sentences: one word flips the answer.
# ---------------------------------------------------------------------------------------------

WINOGRAD = {
    "en": [
        ("The piano would not go through the door because _ was too wide.", "the piano", "the door", "1"),
        ("The piano would not go through the door because _ was too narrow.", "the piano", "the door", "2"),
        ("Maria lent her bike to Sofia because _ had no other way to get to school.", "Maria", "Sofia", "2"),
        ("Maria lent her bike to Sofia because _ did not need it that day.", "Maria", "Sofia", "1"),
        ("The dog chased the cat up the tree, and then _ barked at it for an hour.", "the dog", "the cat", "1"),
        ("The dog chased the cat up the tree, and then _ refused to come down.", "the dog", "the cat", "2"),
        ("The teacher praised the student because _ had written an excellent essay.", "the teacher", "the student", "2"),
        ("The teacher praised the student because _ wanted to encourage good work.", "the teacher", "the student", "1"),
        ("The suitcase was much heavier than the bag, so Tom carried _ with both hands.", "the suitcase", "the bag", "1"),
        ("The suitcase was much heavier than the bag, so Tom carried _ with one finger.", "the suitcase", "the bag", "2"),
        ("Nadia waved at Lena across the street, but _ did not notice her.", "Nadia", "Lena", "2"),
        ("Nadia waved at Lena across the street, but _ was ignored.", "Nadia", "Lena", "1"),
    ],
    "jp": [
        ("ピアノはドアを通らなかった。_が大きすぎたからだ。", "ピアノ", "ドア", "1"),
        ("ピアノはドアを通らなかった。_が狭すぎたからだ。", "ピアノ", "ドア", "2"),
        ("マリアはソフィアに自転車を貸した。_には学校へ行く手段がほかになかったからだ。", "マリア", "ソフィア", "2"),
        ("マリアはソフィアに自転車を貸した。_はその日自転車が必要なかったからだ。", "マリア", "ソフィア", "1"),
        ("犬は猫を木の上に追いやった。それから_は一時間も猫に向かって吠え続けた。", "犬", "猫", "1"),
        ("犬は猫を木の上に追いやった。それから_は木から降りようとしなかった。", "犬", "猫", "2"),
        ("先生は生徒を褒めた。_が素晴らしい作文を書いたからだ。", "先生", "生徒", "2"),
        ("先生は生徒を褒めた。_は良い取り組みを励ましたかったからだ。", "先生", "生徒", "1"),
        ("スーツケースはかばんよりずっと重かったので、トムは_を両手で運んだ。", "スーツケース", "かばん", "1"),
        ("スーツケースはかばんよりずっと重かったので、トムは_を指一本で運んだ。", "スーツケース", "かばん", "2"),
        ("ナディアは通りの向こうからレナに手を振ったが、_は気づかなかった。", "ナディア", "レナ", "2"),
        ("ナディアは通りの向こうからレナに手を振ったが、_は無視された。", "ナディア", "レナ", "1"),
    ],
}


def _xwinograd() -> None:
    feats = Features({"sentence": S, "option1": S, "option2": S, "answer": S})
    for config, items in WINOGRAD.items():
        rows = [{"sentence": s, "option1": a, "option2": b, "answer": ans} for s, a, b, ans in items]
        add("Muennighoff/xwinograd", "CC BY 4.0", config, "test", rows, feats)


# ---------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------

BUILDERS = (_topic, _sentiment, _paraphrase, _translation, _extractive_qa, _mcqa, _headline, _intent, _wsd,
            _xnli, _xcopa, _xstorycloze, _xwinograd)


def _readme(dataset: str, entries: dict[str, dict[str, tuple[Any, int]]]) -> str:
    """README.md with hub front matter (configs + dataset_info) and a note on where the rows come from."""
    configs, infos, table = [], [], []
    for config in sorted(entries):
        splits = entries[config]
        configs.append({"config_name": config, "data_files": [{"split": s, "path": f"{config}/{s}-*"} for s in splits]})
        features = next(iter(splits.values()))[0].info._to_yaml_dict()["features"]
        infos.append({
            "config_name": config,
            "features": features,
            "splits": [{"name": s, "num_bytes": nbytes, "num_examples": ds.num_rows} for s, (ds, nbytes) in splits.items()],
        })
        table += [f"| {config} | {s} | {ds.num_rows} |" for s, (ds, _) in splits.items()]
    meta = {"license": LICENCE, "configs": configs, "dataset_info": infos}
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=120)
    body = (
        f"# {dataset}: stdata sample mirror\n\n"
        f"A small sample in the layout of the hub dataset `{dataset}`: the same config, split and column\n"
        "names and types, so that `stdata build --data-dir tests/data/mirror` and the demos run offline.\n\n"
        f"The rows were written by the stdata team for tests and demos; none is taken from `{dataset}`\n"
        f"(whose own data is under {REAL_LICENCE[dataset]}). Licence of these rows: CC0-1.0.\n\n"
        "Written by `tests/data/make_sample_mirror.py`; edit the rows there and re-run it.\n\n"
        "| config | split | rows |\n|---|---|---|\n" + "\n".join(table) + "\n"
    )
    return f"---\n{front}---\n\n{body}"


TOP_README = """\
# Sample mirror (hub layout)

Small samples in the exact layout of the hub datasets that the stdata task registry reads
(`<org>/<name>/<config>/<split>-00000-of-00001.parquet` plus a README.md with `configs:` and
`dataset_info:`), for offline tests and demos:

    stdata build --langs 25 --data-dir tests/data/mirror --out corpus

Every training task has rows in en, de and sw where its first source for that language lists it,
and headline also in es (XL-Sum); the eval tasks xnli, xcopa (sw, et), xstorycloze and xwinograd
(en, ja) have a few rows too. Each config/split holds 12-18 rows, so a build with the default
--per-task-lang reports shortfalls.

All rows were written by the stdata team for tests and demos (licence CC0-1.0); none is copied
from the real datasets. Regenerate with `python tests/data/make_sample_mirror.py` (deterministic).
"""


def write_mirror(out: Path = DEFAULT_OUT) -> list[Path]:
    """Write every sample dataset under `out` (replacing those dataset folders); returns the files written."""
    if not TABLES:
        for build in BUILDERS:
            build()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for dataset in sorted(TABLES):
        root = out / dataset
        shutil.rmtree(root, ignore_errors=True)
        entries: dict[str, dict[str, tuple[Any, int]]] = {}
        for config, splits in TABLES[dataset].items():
            (root / config).mkdir(parents=True)
            for split, (rows, features) in splits.items():
                ds = datasets.Dataset.from_list(rows, features=features)
                path = root / config / f"{split}-00000-of-00001.parquet"
                ds.to_parquet(str(path))
                entries.setdefault(config, {})[split] = (ds, ds.data.nbytes)
                written.append(path)
        (root / "README.md").write_text(_readme(dataset, entries), encoding="utf-8")
        written.append(root / "README.md")
    (out / "README.md").write_text(TOP_README, encoding="utf-8")
    written.append(out / "README.md")
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    files = write_mirror(out)
    size = sum(p.stat().st_size for p in files)
    print(f"wrote {len(files)} files ({size / 1024:.0f} KiB) under {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

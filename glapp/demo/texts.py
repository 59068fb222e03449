"""Phrase banks for demo comments, and how a comment is put together from them.

A comment is composed from an optional opening, one or two touchpoint-specific details (with
slots such as {agent}, {product}, {days}, {price}, {store}), and an optional closing, then lightly
varied (casing, punctuation, the odd typo), so it reads like a real customer and almost never
repeats. Pure Python: no Django imports.
"""

import random

NEG, MID, POS = "neg", "mid", "pos"

OPENINGS = {
    "sv": {
        NEG: ["Tyvärr", "Ärligt talat", "Hmm.", "Jag är besviken.", "Inte bra.", "Usch.", "Faktiskt ganska dåligt.",
              "Vet inte vad som hänt med er.", "Tråkigt att behöva skriva detta men", "Jag har varit kund länge men",
              "Katastrof.", "Besviken igen."],
        MID: ["Helt ok.", "Sådär.", "Okej på det stora hela.", "Inget att klaga på egentligen, men", "Varken eller.",
              "Funkade.", "Godkänt men inte mer.", "Det mesta var bra men", "Mja.", "Det gick väl bra."],
        POS: ["Toppen!", "Riktigt bra.", "Mycket nöjd!", "Bästa hittills.", "Superbra", "Imponerad.", "Jättebra!",
              "Smidigt!", "Stort tack!", "Helt klart godkänt och lite till.", "Wow.", "Nöjd kund här."],
    },
    "en": {
        NEG: ["Unfortunately", "Honestly,", "Not good.", "Really disappointed.", "Frankly poor.", "Ugh.",
              "I've been a customer for years but"],
        MID: ["It was ok.", "Fine I guess.", "Mostly fine, but", "Average.", "Nothing special.", "Did the job."],
        POS: ["Great!", "Really good.", "Very happy!", "Excellent.", "Super smooth!", "Impressed.", "Thanks a lot!"],
    },
}

CLOSINGS = {
    "sv": {
        NEG: ["Ring mig gärna på {phone}.", "Ordernummer {order} om ni vill kolla.",
              "Funderar på att byta operatör.", "Skärpning!", "Inte okej.", "Förväntade mig mer av er.",
              "Kommer inte rekommendera er.", "Hör gärna av er.", "Det här måste ni fixa.", "Suck.",
              "Har redan tipsat kollegorna att välja något annat."],
        MID: ["Annars okej.", "Kan bli bättre.", "Vi får se.", "Inget mer att säga.", "Helt godkänt ändå.",
              "Lite förbättringspotential bara."],
        POS: ["Tack!", "Rekommenderar er gärna.", "Fortsätt så!", "Kommer att handla igen.", "Tummen upp.",
              "Tack för bra service!", "Mer sånt!", "10 av 10 för det."],
    },
    "en": {
        NEG: ["Thinking about switching.", "Not acceptable.", "Expected better.", "Please fix this."],
        MID: ["Otherwise fine.", "Room for improvement.", "That's all."],
        POS: ["Thanks!", "Would recommend.", "Keep it up!", "Will buy again."],
    },
}

# Touchpoint code -> sentiment -> details, per language.
DETAILS = {
    "sv": {
        "webbkassa": {
            NEG: ["Kassan hängde sig två gånger innan betalningen gick igenom.",
                  "Fick ett felmeddelande vid Swish-betalningen och fick börja om från början.",
                  "Svårt att förstå vad {product} faktiskt kostar per månad när allt räknas in.",
                  "Rabattkoden fungerade inte i kassan.",
                  "Frakten dök upp först i sista steget, det kändes fult.",
                  "BankID-inloggningen loopade och jag kom inte vidare.",
                  "Ville välja ett eget nummer men det gick inte i webben.",
                  "Sidan var jättelångsam på mobilen.",
                  "Fick betala {price} kr i startavgift som inte syntes förrän i sista steget.",
                  "Kassan tömde varukorgen när jag bytte flik."],
            MID: ["Beställningen gick bra men det var många steg.",
                  "Lite rörigt att jämföra abonnemangen men till slut hittade jag {product}.",
                  "Okej kassa, men jag saknar Klarna som betalsätt.",
                  "Fungerade, men fick inget orderbekräftelsemejl förrän dagen efter.",
                  "Hade varit bra att se leveransdatum innan jag betalade."],
            POS: ["Beställde {product} på fem minuter, smidigt med BankID.",
                  "Tydligt vad allt kostade, inga överraskningar.",
                  "Enkelt att välja telefon och abonnemang i samma köp.",
                  "Bra att man kunde behålla sitt gamla nummer direkt i kassan.",
                  "Snabb och enkel kassa, fick bekräftelse direkt.",
                  "Bra pris på {product} och lätt att beställa.",
                  "Gick fort att beställa {product}, bekräftelsen kom på en gång.",
                  "Smidigt att dela upp betalningen för {product} på 24 månader."],
        },
        "butik": {
            NEG: ["Väntade {minutes} minuter i butiken i {city} utan att någon hälsade.",
                  "Personalen i {store} verkade inte kunna något om {product}.",
                  "Fick fel information om bindningstiden i butiken.",
                  "De hade inte {product} i lager trots att webben sa det.",
                  "Kändes som att säljaren bara ville pracka på mig en dyrare telefon.",
                  "Kölappssystemet fungerade inte och det blev kaos.",
                  "Ingen i {store} kunde hjälpa mig med fakturan.",
                  "Fick vänta {minutes} minuter bara för att byta SIM-kort."],
            MID: ["Trevlig personal men lite lång väntan, kanske {minutes} minuter.",
                  "Fick hjälp med flytten av numret, men det tog tid.",
                  "Okej besök i {store}, inget särskilt.",
                  "Säljaren var trevlig men kunde inte svara på allt om {product}.",
                  "Bra att kunna prova telefonerna, men trångt i butiken."],
            POS: ["Jättetrevlig personal i {store}! Hjälpte mig flytta allt till nya telefonen.",
                  "Fick bra råd om vilket abonnemang som passar mig, och det blev billigare.",
                  "Inga köer och kunnig personal i butiken i {city}.",
                  "Säljaren tog sig tid och förklarade {product} ordentligt.",
                  "Hämtade ut {product} i butiken och allt var klart på tio minuter.",
                  "Mycket proffsigt bemötande i {store}.",
                  "Fick hjälp att flytta bilderna från gamla telefonen, superservice i {city}.",
                  "Lugnt och trevligt i {store}, inget säljtryck alls."],
        },
        "hemleverans": {
            NEG: ["Leveransen kom {days} dagar för sent.",
                  "Paketet lämnades utanför dörren utan avisering.",
                  "Budet ringde inte på, fick en lapp om att ingen var hemma fast jag var hemma.",
                  "Kartongen var trasig när den kom.",
                  "Spårningen visade fel hela tiden.",
                  "Fick tre olika leveranstider i sms och ingen stämde."],
            MID: ["Leveransen kom, men en dag senare än utlovat.",
                  "Okej leverans, men tidsfönstret var väldigt brett.",
                  "Paketet kom fram, men sms-aviseringen kom först efteråt.",
                  "Budet var trevligt men kom sent på kvällen."],
            POS: ["Kom dagen efter beställningen, imponerande!",
                  "{partner} levererade precis i tidsfönstret.",
                  "Smidigt att kunna följa budet i appen.",
                  "Snabb leverans och välpackat.",
                  "Budet bar upp paketet till dörren, toppen.",
                  "Leveransen kom redan efter {days} timmar, helt otroligt."],
        },
        "ombud": {
            NEG: ["Ombudet hade stängt trots angivna öppettider.",
                  "Fick åka till ett ombud långt bort fast det finns ett i min by.",
                  "Paketet var inte på plats hos ombudet när aviseringen kom.",
                  "Lång kö hos ombudet och de hittade inte paketet först."],
            MID: ["Helt ok att hämta hos ombudet, men lite långt.",
                  "Fungerade, men man fick visa legitimation två gånger.",
                  "Paketet låg kvar, men öppettiderna är lite snåla."],
            POS: ["Smidigt att hämta på ICA på vägen hem.",
                  "Ombudet nära jobbet, hämtade på lunchen.",
                  "Snabbt och enkelt hos ombudet, paketet var redo.",
                  "Bra med ombud som har öppet sent."],
        },
        "kom-igang": {
            NEG: ["Det tog {days} dagar innan abonnemanget aktiverades.",
                  "eSIM-koden fungerade inte och ingen förklarade varför.",
                  "Krångligt att flytta över numret, fick ringa kundtjänst två gånger.",
                  "Instruktionerna i lådan stämde inte med hur det såg ut i telefonen.",
                  "Routern fick ingen kontakt, manualen var obegriplig.",
                  "Förstod inte hur man aktiverar {product}, alldeles för många steg."],
            MID: ["Aktiveringen fungerade till slut men det var lite krångligt.",
                  "Fick igång {product}, men det tog en kväll.",
                  "Nummerflytten tog några dagar, men sen funkade allt.",
                  "Lite otydliga instruktioner men jag löste det."],
            POS: ["{product} var igång på några minuter.",
                  "eSIM:en aktiverades direkt, väldigt smidigt.",
                  "Nummerflytten gick automatiskt, behövde inte göra något.",
                  "Allt fungerade direkt när jag satte i kortet."],
        },
        "kundtjanst-telefon": {
            NEG: ["Väntade {minutes} minuter i telefonkön.",
                  "Blev kopplad runt tre gånger och fick berätta allt från början varje gång.",
                  "Ärendet är fortfarande inte löst efter två samtal.",
                  "Lovade att ringa tillbaka men ingen hörde av sig.",
                  "Fick olika besked av olika personer.",
                  "Fick vänta {minutes} minuter och sedan bröts samtalet.",
                  "Fick beskedet att ni inte kunde se min order, trots ordernummer {order}."],
            MID: ["{agent} var trevlig men kunde inte lösa allt direkt.",
                  "Lång kö, men sedan fick jag hjälp.",
                  "Fick svar på min fråga, men kön var {minutes} minuter.",
                  "Det löste sig, men jag fick ringa två gånger."],
            POS: ["{agent} löste mitt problem på en gång, tack!",
                  "Kort kö och {agent} var supertrevlig.",
                  "Fick ett tydligt svar om fakturan direkt.",
                  "{agent} ringde tillbaka som utlovat, riktigt bra service.",
                  "Kunnig och lugn person i telefon som förklarade allt.",
                  "{agent} tog sig tid och gick igenom hela fakturan med mig.",
                  "Snabbt svar, {agent} visste direkt vad felet var."],
        },
        "chatt": {
            NEG: ["Chattboten förstod inte min fråga och jag kom aldrig fram till en människa.",
                  "Chatten stängdes mitt i konversationen.",
                  "Fick standardsvar som inte hade med min fråga att göra.",
                  "Väntade {minutes} minuter i chatten utan svar."],
            MID: ["Fick hjälp i chatten men det tog ett tag.",
                  "{agent} i chatten var trevlig men fick skicka mig vidare.",
                  "Okej, men jag hade hellre pratat med någon.",
                  "Funkade, fick en länk som förklarade det mesta."],
            POS: ["{agent} i chatten fixade det på två minuter.",
                  "Snabbt svar i chatten och problemet löst.",
                  "Smidigt att slippa ringa, chatten funkade perfekt.",
                  "{agent} var jättehjälpsam och skickade en bekräftelse direkt."],
        },
        "fornyelse": {
            NEG: ["Priset höjdes med {price} kr i månaden när bindningstiden gick ut, utan att ni sa något.",
                  "Nya kunder får bättre erbjudanden än vi som varit kunder i {years} år.",
                  "Erbjudandet vid förlängningen var sämre än det jag har nu.",
                  "Krångligt att förlänga, fick inget erbjudande alls."],
            MID: ["Förlängde {product}, erbjudandet var okej men inget speciellt.",
                  "Fick ett erbjudande men fick själv be om det.",
                  "Priset är okej, men det kunde vara tydligare vad som ingår."],
            POS: ["Fick ett bra erbjudande på en ny telefon när jag förlängde.",
                  "Smidig förlängning i appen, två klick.",
                  "Trevligt att bli kontaktad innan bindningstiden gick ut.",
                  "Fick mer surf för samma pris, bra!"],
        },
        "uppsagning": {
            NEG: ["Hittade ett billigare abonnemang hos en annan operatör.",
                  "Täckningen hemma i {city} är för dålig.",
                  "Svårt att säga upp, fick ringa istället för att göra det på webben.",
                  "Försökte övertala mig att stanna i 20 minuter.",
                  "Fick en faktura efter att jag sagt upp."],
            MID: ["Flyttar utomlands, inget fel på er.",
                  "Uppsägningen gick okej men tog längre tid än väntat.",
                  "Byter för att jobbet betalar ett annat abonnemang."],
            POS: ["Enkel uppsägning, tack för den här tiden.",
                  "Smidigt att säga upp, fick bekräftelse direkt.",
                  "Har varit nöjd, men flyttar ihop med någon som har ett familjeabonnemang."],
        },
        "": {  # relationship survey
            NEG: ["Dyrt jämfört med andra operatörer.",
                  "Täckningen är dålig där jag bor.",
                  "Fakturorna är svåra att förstå.",
                  "Dålig kundservice senaste året."],
            MID: ["Fungerar, men priset är högt.",
                  "Bra täckning men dyrt.",
                  "Inget att klaga på men inget som sticker ut heller."],
            POS: ["Bra täckning överallt där jag är.",
                  "Har varit kund i {years} år och aldrig haft problem.",
                  "Prisvärt och stabilt nät.",
                  "Bra appen där man ser förbrukningen."],
        },
    },
    "en": {
        "webbkassa": {
            NEG: ["Checkout crashed twice before the payment went through.",
                  "Hard to tell what {product} really costs per month.",
                  "The discount code didn't work."],
            MID: ["Ordering worked but too many steps.", "Fine, but I'd like more payment options."],
            POS: ["Ordered {product} in five minutes.", "Clear prices, no surprises at checkout."],
        },
        "butik": {
            NEG: ["Waited {minutes} minutes in the {store} store and nobody spoke English.",
                  "Staff didn't know much about {product}."],
            MID: ["Friendly staff but a long wait.", "OK visit, nothing special."],
            POS: ["Great staff at {store}, helped me move everything to the new phone.",
                  "Good advice on which plan to pick."],
        },
        "hemleverans": {
            NEG: ["Delivery was {days} days late.", "The box was damaged.", "The courier left it outside."],
            MID: ["Arrived a day later than promised.", "Delivery window was very wide."],
            POS: ["Arrived the next day!", "{partner} delivered right on time."],
        },
        "ombud": {
            NEG: ["The pickup point was closed.", "The parcel wasn't there when the notice came."],
            MID: ["Pickup point a bit far away but fine."],
            POS: ["Easy pickup on my way home.", "Parcel was ready, quick and easy."],
        },
        "kom-igang": {
            NEG: ["Took {days} days to activate.", "The eSIM code didn't work.",
                  "Instructions were only in Swedish and confusing."],
            MID: ["Got it working in the end, a bit fiddly."],
            POS: ["{product} worked within minutes.", "eSIM activated right away."],
        },
        "kundtjanst-telefon": {
            NEG: ["Waited {minutes} minutes on hold.", "Transferred three times, still not solved."],
            MID: ["{agent} was nice but couldn't fix everything.", "Long queue, then got help."],
            POS: ["{agent} solved it right away, and spoke great English.", "Short queue, helpful agent."],
        },
        "chatt": {
            NEG: ["The chatbot didn't understand me.", "Chat closed in the middle of the conversation."],
            MID: ["Got help in the chat eventually."],
            POS: ["{agent} in the chat fixed it in two minutes.", "Quick answer in the chat."],
        },
        "fornyelse": {
            NEG: ["Price went up by {price} SEK a month when my contract ended.",
                  "New customers get better deals than loyal ones."],
            MID: ["Renewed, the offer was ok."],
            POS: ["Good offer on a new phone when renewing.", "Renewed in the app in two clicks."],
        },
        "uppsagning": {
            NEG: ["Found a cheaper plan elsewhere.", "Hard to cancel, had to call."],
            MID: ["Moving abroad, nothing wrong with you."],
            POS: ["Easy to cancel, thanks for the time."],
        },
        "": {
            NEG: ["Expensive compared to others.", "Poor coverage where I live."],
            MID: ["Works, but pricey."],
            POS: ["Good coverage everywhere.", "Reliable network and a good app."],
        },
    },
}

# Details tied to the injected effects (see glapp.demo.generator). Always used for those responses.
EFFECT_DETAILS = {
    "sv": {
        "campaign": ["Superkampanjen lovade {promised} kr i månaden men på fakturan står det {charged} kr.",
                     "Ni annonserade {promised} kr/mån i Superkampanjen, nu får jag betala {charged} kr. Vilseledande!",
                     "Kampanjpriset gällde tydligen bara tre månader, det stod ingenstans i annonsen.",
                     "Villkoren i Superkampanjen var helt annorlunda än det som sades när jag köpte {product}.",
                     "Ringde om kampanjpriset, fick höra att det var 'finstilt'. Fick ingen rättelse.",
                     "Köpte {product} på kampanj och nu har jag bindningstid som ingen nämnde.",
                     "Fakturan är {charged} kr istället för kampanjpriset {promised} kr.",
                     "Vill ha det pris som utlovades i kampanjen, inget annat."],
        "snabbfrakt": ["SnabbFrakt kom {days} dagar för sent och svarade inte i telefon.",
                       "Paketet från SnabbFrakt var helt tilltryckt, skärmen var repad.",
                       "Nya budfirman är värdelös, fick åka och hämta själv till slut.",
                       "SnabbFrakt sa att de varit här men ingen ringde på.",
                       "Leveransen med SnabbFrakt tog {days} dagar, förut kom det dagen efter.",
                       "Varför har ni bytt från PostNord? Det här budet tappar bort paket.",
                       "Kartongen var blöt och trasig, SnabbFrakt verkar inte bry sig."],
        "guide": ["Nya aktiveringsguiden i appen var jättebra, klart på fem minuter.",
                  "Steg-för-steg-guiden för eSIM gjorde det löjligt enkelt.",
                  "Äntligen en guide som förklarar nummerflytten begripligt.",
                  "Guiden i appen visade exakt vad jag skulle göra, {product} var igång direkt.",
                  "Videoguiden för routern var perfekt, behövde inte ringa någon.",
                  "Bra att guiden sa hur lång tid nummerflytten tar, inga överraskningar."],
    },
    "en": {
        "campaign": ["The Super campaign promised {promised} SEK a month but I was billed {charged} SEK.",
                     "Campaign terms were not what I was told when I bought {product}. Misleading.",
                     "The campaign price only lasted three months, that wasn't in the ad."],
        "snabbfrakt": ["SnabbFrakt was {days} days late and never answered the phone.",
                       "Parcel from SnabbFrakt was crushed.",
                       "The new courier is useless, had to collect it myself."],
        "guide": ["The new activation guide in the app was great, done in five minutes.",
                  "Step-by-step eSIM guide made it really easy."],
    },
}

# Words that keep their capital letter when an opening runs into them.
KEEP_CASE = {"I", "SnabbFrakt", "PostNord", "BankID", "Swish", "Superkampanjen", "Klarna", "ICA"}


def _typo(text: str, rng: random.Random) -> str:
    """One small slip: a doubled, dropped or swapped letter somewhere in the middle."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 6:
        return text
    i = letters[rng.randrange(2, len(letters) - 2)]
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i] + text[i:]
    if kind == 1:
        return text[:i] + text[i + 1:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


SIGN_OFFS = {NEG: (" :(", " 😡", " /", "..."), MID: ("...", " /", " :)"), POS: (" :)", " 👍", " ❤️", "!")}


def _vary(text: str, rng: random.Random, sentiment: str) -> str:
    roll = rng.random()
    if roll < 0.12:
        text = text[0].lower() + text[1:]
    elif roll < 0.14:
        text = text.upper() if len(text) < 70 else text
    if rng.random() < 0.15 and text.endswith("."):
        text = text[:-1]
    elif rng.random() < 0.05 and text[-1] in ".!":
        text = text[:-1] + "!!"
    if rng.random() < 0.08:
        text = _typo(text, rng)
    if rng.random() < 0.03:
        text += rng.choice(SIGN_OFFS[sentiment])
    return text


def compose(rng: random.Random, lang: str, touchpoint: str, sentiment: str, slots: dict,
            effect: str | None = None) -> str:
    """One customer comment. `effect` forces a detail about an injected effect."""
    lang = lang if lang in DETAILS else "sv"
    bank = DETAILS[lang][touchpoint][sentiment]
    parts = []
    if rng.random() < 0.45:
        parts.append(rng.choice(OPENINGS[lang][sentiment]))
    if effect:
        parts.append(rng.choice(EFFECT_DETAILS[lang][effect]))
        if rng.random() < 0.3:
            parts.append(rng.choice(bank))
    else:
        first = rng.choice(bank)
        parts.append(first)
        if rng.random() < 0.3:
            second = rng.choice(bank)
            if second != first:
                parts.append(second)
    if rng.random() < 0.35:
        parts.append(rng.choice(CLOSINGS[lang][sentiment]))
    # An opening without a full stop ("Tyvärr", "… men") runs into the next sentence.
    if len(parts) > 1 and parts[0][-1].isalnum():
        nxt = parts[1]
        if not nxt.startswith("{") and nxt.split()[0].strip(",.!") not in KEEP_CASE:
            parts[1] = nxt[0].lower() + nxt[1:]
    text = " ".join(parts)
    if "{" in text:
        text = text.format_map(slots)
    return _vary(text, rng, sentiment)

"""A made corpus of 30 short news stories in three topics, for the relatedness bar.

Each story is written for itself (no shared boilerplate), the topics borrow words from each
other as real news does ("season", "record", "spending", "losses", "warned"), few stories
carry tags, and the sections cut across the topics so that the section cannot give the
answer away.
"""

from tests.factories import ArticleFactory, SectionFactory

FIRES, FOOTBALL, ECONOMY = "fires", "football", "economy"
SECTIONS = ("World", "Business", "Sport")

# (topic, headline, body, tags)
STORIES = [
    (
        FIRES,
        "Wildfire Forces Thousands to Evacuate Near Los Angeles",
        "Fire crews battled a fast-moving wildfire overnight as strong Santa Ana winds pushed "
        "flames toward hillside neighbourhoods. Officials ordered evacuations for more than "
        "30,000 residents and warned that dry brush could fuel further spread. Helicopters "
        "dropped water on the fire line while firefighters cut breaks through the canyon.",
        ("Wildfires",),
    ),
    (
        FIRES,
        "Heatwave Breaks Temperature Records Across Southern Europe",
        "Spain and Italy recorded temperatures above 44C as a prolonged heatwave gripped the "
        "region. Health authorities issued red alerts, and firefighters stayed on standby as "
        "drought left forests parched and ready to burn. Climate scientists said such heat "
        "waves are becoming hotter and more frequent as the planet warms.",
        (),
    ),
    (
        FIRES,
        "Drought Leaves Reservoirs at Historic Lows",
        "Reservoirs in Catalonia fell below 15 percent of capacity after three years of scant "
        "rainfall and record heat. Farmers warned of failed harvests, and the regional "
        "government declared a drought emergency. Dry forests and scrub have raised the risk "
        "of wildfires across the region this summer.",
        (),
    ),
    (
        FIRES,
        "Smoke From Canadian Wildfires Blankets New York",
        "Hazy orange skies settled over Manhattan as smoke from hundreds of Canadian wildfires "
        "drifted south. Air quality alerts urged residents to stay indoors, and flights were "
        "delayed as the smoke cut visibility. More than 400 fires were burning across Quebec, "
        "many of them out of control in remote forest.",
        ("Wildfires",),
    ),
    (
        FIRES,
        "Scientists Link Longer Fire Seasons to Climate Change",
        "A new study found that the wildfire season in the western United States now lasts "
        "nearly three months longer than in the 1970s. Researchers pointed to rising "
        "temperatures, earlier snowmelt, drought and drier forests, which let fires start "
        "more easily and burn hotter once they do.",
        (),
    ),
    (
        FIRES,
        "Mudslides Follow Heavy Rain on Land Scarred by Summer Fires",
        "Slopes stripped bare by summer wildfires gave way after a night of heavy rain, "
        "sending mud and boulders across roads. Emergency crews rescued stranded drivers, and "
        "fire officials ordered evacuations below the burn scars, where charred soil can no "
        "longer soak up water.",
        (),
    ),
    (
        FIRES,
        "Firefighters Contain Blaze on Greek Island of Rhodes",
        "After four days, firefighters backed by water-dropping aircraft contained a wildfire "
        "on Rhodes that forced thousands of tourists to evacuate hotels. Strong winds and "
        "extreme heat had fanned the flames across the island's pine forests, and crews "
        "remained to stop the fire flaring up again.",
        (),
    ),
    (
        FIRES,
        "Australia Braces for Severe Bushfire Season",
        "Fire authorities warned of an above-average bushfire risk after a hot, dry winter left "
        "the bush parched. Crews carried out controlled burns to clear fuel, and residents were "
        "urged to prepare evacuation plans before the fire season peaks. Memories of the Black "
        "Summer fires, which burned millions of hectares, remain fresh.",
        (),
    ),
    (
        FIRES,
        "Amazon Fires Surge as Forest Clearing Continues",
        "Satellite data showed the number of fires in the Brazilian Amazon rose sharply this "
        "month, driven by land clearing and drought. Environmental groups said the burning "
        "rainforest was releasing vast amounts of smoke and carbon, and that most fires were "
        "set deliberately to clear ground for cattle.",
        (),
    ),
    (
        FIRES,
        "Insurers Pull Back From Wildfire-Prone Towns",
        "Major insurers stopped writing new home policies in parts of California, citing "
        "mounting wildfire losses as fire seasons lengthen. Homeowners in forest towns face "
        "higher premiums or no cover at all, and some say they may have to leave hillsides "
        "that have burned twice in a decade.",
        (),
    ),
    (
        FOOTBALL,
        "Late Penalty Sends Arsenal Top of the Premier League",
        "Bukayo Saka converted a stoppage-time penalty as Arsenal beat Aston Villa 2-1 to move "
        "top of the Premier League table. The manager praised his players' resilience after a "
        "tense second half at the Emirates, where Villa had equalised through a header from a "
        "corner.",
        (),
    ),
    (
        FOOTBALL,
        "Real Madrid Sign Brazilian Striker for Club-Record Fee",
        "Real Madrid agreed a club-record transfer fee for the 19-year-old striker, who signed "
        "a six-year contract. The forward scored 20 goals in the Brazilian league last season "
        "and will join the squad in the summer, when he is expected to compete with the "
        "club's established attackers for a starting place.",
        ("Transfers",),
    ),
    (
        FOOTBALL,
        "Manager Sacked After Six Straight League Defeats",
        "The club dismissed its manager after a sixth consecutive league defeat left the team "
        "in the relegation zone. The board said a new head coach would be in place before "
        "Saturday's match against the league leaders. Supporters had called for change after "
        "the side conceded four goals at home.",
        (),
    ),
    (
        FOOTBALL,
        "Champions League Draw Pairs Bayern Munich With PSG",
        "Bayern Munich will face Paris Saint-Germain in the Champions League last 16 after "
        "Monday's draw in Nyon. The first leg of the tie is in Paris in February, the return "
        "match in Munich three weeks later. Both clubs have won the trophy, and their coaches "
        "met in last season's final.",
        (),
    ),
    (
        FOOTBALL,
        "World Cup Final Draws Record Crowd as Spain Beat England",
        "A record crowd of 75,000 fans watched Spain beat England 1-0 in the Women's World Cup "
        "final. The winning goal came from a first-half strike by the captain, and the Spanish "
        "goalkeeper saved a second-half penalty to protect the lead. It was Spain's first world "
        "title in the women's game.",
        (),
    ),
    (
        FOOTBALL,
        "Knee Injury Rules Star Midfielder Out for the Season",
        "Scans confirmed a torn knee ligament, and the midfielder will miss the rest of the "
        "season, including the cup final. The club's medical staff expect the player to be out "
        "for nine months. He was hurt in a tackle during the first half of Sunday's league "
        "match and was carried off on a stretcher.",
        (),
    ),
    (
        FOOTBALL,
        "Referees to Wear Body Cameras in League Trial",
        "Referees will wear body cameras during league matches under a trial approved by the "
        "game's lawmakers. Officials hope the footage will curb abuse of referees by players, "
        "coaches and fans, and help train young officials. The cameras will not be used to "
        "review decisions on penalties or red cards.",
        (),
    ),
    (
        FOOTBALL,
        "Striker Scores Hat-Trick as City Rout Rivals in Derby",
        "The striker scored three goals in 20 minutes as City thrashed their local rivals 5-0 "
        "in the derby. Fans sang his name long after the final whistle, and the manager called "
        "it the best performance of the season. The win lifts City to third in the league.",
        ("Transfers",),
    ),
    (
        FOOTBALL,
        "Club Docked Ten Points Over Breach of Spending Rules",
        "The league deducted ten points from the club after an independent commission found it "
        "broke the league's spending rules on player wages and transfer fees. The club said it "
        "would appeal, and its manager said the players would fight to avoid relegation.",
        (),
    ),
    (
        FOOTBALL,
        "Goalkeeper Saves Three Penalties in Cup Shootout",
        "The goalkeeper saved three penalties as his side won a shootout to reach the cup "
        "semi-final after a goalless draw. The manager said the team had practised penalties "
        "all week in training, and the players mobbed their keeper after the final kick.",
        (),
    ),
    (
        ECONOMY,
        "Central Bank Raises Interest Rates to Tame Inflation",
        "The central bank raised its benchmark interest rate by a quarter point to 5.25 "
        "percent, its highest level in 22 years. Policymakers said inflation remained too high "
        "and that borrowing costs would stay elevated until price growth slowed toward the "
        "bank's 2 percent target.",
        ("Economy",),
    ),
    (
        ECONOMY,
        "Inflation Eases for Third Consecutive Month",
        "Consumer prices rose 3.1 percent from a year earlier, down from 3.4 percent, as energy "
        "and food costs cooled. Economists said the figures could let the central bank pause "
        "its interest rate rises, although core inflation, which strips out volatile prices, "
        "remained stubborn.",
        (),
    ),
    (
        ECONOMY,
        "Mortgage Rates Climb to Highest Level Since 2008",
        "The average 30-year fixed mortgage rate rose above 7 percent, pushing monthly "
        "payments higher for buyers. Home sales fell as borrowing costs climbed and lenders "
        "tightened their terms, and economists expect house prices to soften while interest "
        "rates stay high.",
        (),
    ),
    (
        ECONOMY,
        "Stock Markets Rally as Federal Reserve Signals Pause",
        "Shares rose across Wall Street as investors bet the Federal Reserve had finished "
        "raising interest rates. Bond yields fell and the dollar weakened after the central "
        "bank said inflation was moving toward its target. Bank and technology stocks led the "
        "gains.",
        (),
    ),
    (
        ECONOMY,
        "Unemployment Holds Steady as Hiring Slows",
        "Employers added 150,000 jobs last month, fewer than economists expected, and the "
        "unemployment rate held at 3.9 percent. Wage growth slowed, easing pressure on "
        "inflation and on the central bank, which has kept interest rates at their highest "
        "level in two decades.",
        (),
    ),
    (
        ECONOMY,
        "Pound Falls After Bank of England Holds Interest Rates",
        "Sterling dropped against the dollar after the Bank of England kept interest rates "
        "unchanged at 5.25 percent. The governor warned that inflation could rise again and "
        "that rate cuts were not yet on the table, while markets had hoped for a cut in the "
        "spring.",
        ("Economy",),
    ),
    (
        ECONOMY,
        "Eurozone Economy Shrinks as Factories Slump",
        "Output in the eurozone contracted 0.1 percent in the third quarter as manufacturing "
        "slumped. Weak demand from China and high borrowing costs weighed on factories, and "
        "economists warned of a recession as the European Central Bank kept interest rates at "
        "a record high.",
        (),
    ),
    (
        ECONOMY,
        "Government Unveils Budget to Ease Cost of Living",
        "The finance minister announced tax cuts and energy subsidies to ease the cost of "
        "living for households. Economists warned that the extra spending could fuel inflation "
        "and keep interest rates higher for longer, and bond investors pushed government "
        "borrowing costs up.",
        (),
    ),
    (
        ECONOMY,
        "Retail Sales Slide as Households Cut Spending",
        "Retail sales fell 1.2 percent in October as households cut spending on clothing and "
        "electronics. Retailers blamed high prices and interest rates, and economists said "
        "consumer demand was weakening as savings built up during the pandemic ran down.",
        (),
    ),
    (
        ECONOMY,
        "Japan Ends Era of Negative Interest Rates",
        "The Bank of Japan raised interest rates for the first time in 17 years, ending its "
        "negative rate policy. The yen weakened against the dollar as investors judged the "
        "central bank would move slowly on further rises, with inflation only just above its "
        "target.",
        (),
    ),
]


def build_corpus(home, stories=STORIES, *, after_each=None) -> dict[int, str]:
    """The stories as live articles, spread over the three sections: {article id: topic}."""

    sections = [SectionFactory(parent=home, title=name, slug=name.lower()) for name in SECTIONS]
    topic_of = {}
    for number, (topic, headline, body, tags) in enumerate(stories):
        article = ArticleFactory(
            parent=sections[number % 3],
            title=headline,
            standfirst="",
            body=[("paragraph", f"<p>{body}</p>")],
        )
        if tags:
            article.tags.add(*tags)
            article.save()
        topic_of[article.pk] = topic
        if after_each:
            after_each(article)
    return topic_of

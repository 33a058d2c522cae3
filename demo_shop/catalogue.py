"""Product types, fictional brands and the seeded catalogue builder of the demo shop.

Every product belongs to one internal product *type* (road running shoe, 2-person tent, ...).
Types carry the words used to compose titles and descriptions, a price range, and the
"go-together" links the interaction simulation and the recommendation dialogues use.
All brand and model names are invented for the demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

CATEGORIES: tuple[str, ...] = (
    "running-shoes",
    "hiking-boots",
    "casual-shoes",
    "t-shirts",
    "jackets",
    "backpacks",
    "outdoor-gear",
    "accessories",
    "home-kitchen",
    "electronics",
    "yoga-fitness",
)

# How shoppers name each category in chat (first entry = canonical wording).
CATEGORY_PHRASES: dict[str, tuple[str, ...]] = {
    "running-shoes": ("running shoes", "running trainers", "shoes for running", "runners"),
    "hiking-boots": ("hiking boots", "walking boots", "trekking boots", "hiking footwear"),
    "casual-shoes": ("casual shoes", "sneakers", "everyday shoes"),
    "t-shirts": ("t-shirts", "tees", "t shirts", "tshirts"),
    "jackets": ("jackets", "coats", "outdoor jackets"),
    "backpacks": ("backpacks", "rucksacks", "packs"),
    "outdoor-gear": ("camping gear", "outdoor gear", "camping equipment"),
    "accessories": ("accessories", "running accessories"),
    "home-kitchen": ("kitchen products", "home and kitchen items", "kitchenware"),
    "electronics": ("electronics", "gadgets", "tech products"),
    "yoga-fitness": ("yoga and fitness gear", "workout equipment", "fitness equipment"),
}

SHOE_SIZES = {"Men's": ("EU 40-47",), "Women's": ("EU 36-42",), "Unisex": ("EU 36-46",)}
APPAREL_SIZES = {"Men's": ("S-XXL",), "Women's": ("XS-XL",), "": ("S-XL",)}
APPAREL_ORDER = ("XS", "S", "M", "L", "XL", "XXL")


@dataclass(frozen=True)
class ProductType:
    key: str
    category: str
    noun: str  # last words of the title
    singular: str  # how a shopper names one ("a road running shoe")
    plurals: tuple[str, ...]  # how a shopper names several
    count: int
    price: tuple[float, float]
    brands: tuple[str, ...]
    models: tuple[str, ...]
    materials: tuple[str, ...]
    colours: tuple[str, ...] = ()
    sizes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # gender -> sizes
    versions: bool = False
    waterproof: bool | None = None
    leads: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    params: dict[str, tuple[str, ...]] = field(default_factory=dict)
    complements: tuple[str, ...] = ()  # keys of types that go together with this one
    uses: tuple[str, ...] = ()  # what shoppers want it for ("marathon training")


RUN_BRANDS = ("Strydon", "Kinetra", "Velorun", "Pacewell")
HIKE_BRANDS = ("Norrvik", "Altamoor", "Fjellgard", "Cairnhold")
CASUAL_BRANDS = ("Loomfield", "Marlowe & Finch", "Oakhaven", "Tidewell")
OUTDOOR_BRANDS = ("Norrvik", "Altamoor", "Fjellgard", "Cairnhold", "Brambleton")
KITCHEN_BRANDS = ("Hearthwell", "Copperleaf", "Emberlyn", "Saltmarsh")
TECH_BRANDS = ("Corvent", "Lumora", "Auralis", "Zentrix")
YOGA_BRANDS = ("Solvane", "Lotusmere", "Kinetra")

SHOE_COLOURS = (
    "black/white",
    "white/silver",
    "navy/coral",
    "grey/volt yellow",
    "blue/orange",
    "all black",
    "red/black",
    "sea green/white",
)
EARTH_COLOURS = ("brown", "tan", "olive", "charcoal", "slate blue", "dark grey", "black")
TEE_COLOURS = ("white", "black", "heather grey", "navy", "olive", "rust", "sky blue", "burgundy")
JACKET_COLOURS = ("black", "navy", "forest green", "red", "mustard", "graphite", "teal")

TYPES: tuple[ProductType, ...] = (
    # ---- running-shoes -------------------------------------------------------------------
    ProductType(
        "daily-trainer",
        "running-shoes",
        "Everyday Running Shoe",
        "an everyday running shoe",
        ("everyday running shoes", "beginner running shoes", "budget running shoes"),
        12,
        (39, 79),
        RUN_BRANDS,
        ("Daystride", "Loop", "Sprint One", "Cadence", "Kickoff", "Jogline"),
        ("mesh", "knit mesh", "synthetic mesh"),
        SHOE_COLOURS,
        SHOE_SIZES,
        versions=True,
        waterproof=False,
        leads=(
            "An affordable everyday running shoe with a soft {material} upper and EVA foam "
            "cushioning for short runs, gym sessions and long walks.",
            "A light, no-fuss trainer for new runners: {material} upper, cushioned EVA midsole "
            "and a grippy rubber outsole.",
            "A comfortable entry-level running shoe with a breathable {material} upper and a "
            "flexible sole that suits easy 5K runs and everyday wear.",
        ),
        extras=(
            "The padded heel collar keeps the fit secure without rubbing.",
            "Reflective heel details add visibility after dark.",
            "It weighs about {weight} g in a mid-size.",
        ),
        params={"weight": ("240", "255", "270", "285", "300")},
        complements=("running-socks", "running-belt", "running-cap", "running-tee"),
        uses=("my first 5K", "running a few times a week", "gym and short runs"),
    ),
    ProductType(
        "road-shoe",
        "running-shoes",
        "Road Running Shoe",
        "a road running shoe",
        ("road running shoes", "road shoes", "cushioned running shoes"),
        12,
        (54, 129),
        RUN_BRANDS,
        ("Tempo Flux", "Swiftline", "Glidepath", "Stratos", "Meridian", "Ardent"),
        ("engineered mesh", "recycled knit mesh", "breathable air mesh"),
        SHOE_COLOURS,
        SHOE_SIZES,
        versions=True,
        waterproof=False,
        leads=(
            "A cushioned road shoe with {a_material} upper and a responsive foam midsole, "
            "made for daily miles on pavement.",
            "The {model} pairs a lightweight {material} upper with a rocker-shaped midsole "
            "that keeps easy runs and tempo sessions smooth.",
            "Built for road running, this shoe combines {a_material} upper with a durable "
            "rubber outsole and an 8 mm heel-to-toe drop.",
        ),
        extras=(
            "Reflective details add visibility on early-morning runs.",
            "A gusseted tongue and padded collar lock the foot in without pressure points.",
            "It weighs about {weight} g in a mid-size.",
            "The removable insole makes room for custom orthotics.",
        ),
        params={"weight": ("225", "240", "255", "265", "280")},
        complements=("running-socks", "running-belt", "running-cap", "gps-watch", "running-tee"),
        uses=("half-marathon training", "daily road runs", "long runs on pavement"),
    ),
    ProductType(
        "stability-shoe",
        "running-shoes",
        "Stability Running Shoe",
        "a stability running shoe",
        ("stability running shoes", "support running shoes", "shoes for overpronation"),
        6,
        (89, 149),
        RUN_BRANDS,
        ("Steadfast", "Anchor", "Guidepath", "Keel"),
        ("engineered mesh", "knit mesh"),
        SHOE_COLOURS,
        SHOE_SIZES,
        versions=True,
        waterproof=False,
        leads=(
            "A supportive running shoe for runners who overpronate, with a firmer medial post "
            "and {a_material} upper.",
            "Designed for long, steady miles, it guides the foot with a wide base and a "
            "dual-density midsole under {a_material} upper.",
        ),
        extras=(
            "A firm heel counter keeps the foot stable when you get tired.",
            "It weighs about {weight} g in a mid-size.",
        ),
        params={"weight": ("280", "295", "310")},
        complements=("running-socks", "running-belt", "gps-watch"),
        uses=("overpronation", "marathon training", "long steady runs"),
    ),
    ProductType(
        "trail-shoe",
        "running-shoes",
        "Trail Running Shoe",
        "a trail running shoe",
        ("trail running shoes", "trail shoes", "off-road running shoes"),
        10,
        (64, 149),
        RUN_BRANDS,
        ("Ridgeline", "Scree", "Talus", "Switchback", "Cairn Runner"),
        ("ripstop mesh", "abrasion-resistant mesh", "mesh with a waterproof membrane"),
        SHOE_COLOURS,
        SHOE_SIZES,
        versions=True,
        leads=(
            "A grippy trail shoe with 5 mm multidirectional lugs and {a_material} upper for "
            "rocky and muddy paths.",
            "Made for off-road running, with a rock plate under the forefoot, a protective toe "
            "cap and {a_material} upper.",
        ),
        extras=(
            "A gaiter attachment point at the heel keeps grit out.",
            "Quick-pull laces tuck into a pocket on the tongue.",
        ),
        complements=("running-socks", "hydration-vest", "gps-watch", "headlamp"),
        uses=("muddy trail runs", "mountain running", "ultra training"),
    ),
    ProductType(
        "racing-shoe",
        "running-shoes",
        "Carbon-Plate Racing Shoe",
        "a racing shoe",
        ("racing shoes", "carbon plate shoes", "marathon racing shoes"),
        6,
        (149, 229),
        RUN_BRANDS,
        ("Vela Pro", "Apex Elite", "Kairo Race", "Velocity X"),
        ("monofilament mesh", "ultralight mesh"),
        SHOE_COLOURS,
        SHOE_SIZES,
        versions=True,
        waterproof=False,
        leads=(
            "A race-day shoe with a full-length carbon plate and a lightweight PEBA foam "
            "midsole, under a thin {material} upper.",
            "Built for 10K to marathon racing: carbon plate, high-rebound foam and a "
            "{material} upper that weighs next to nothing.",
        ),
        extras=("It weighs only about {weight} g in a mid-size.",),
        params={"weight": ("185", "195", "205")},
        complements=("running-socks", "gps-watch", "running-belt"),
        uses=("a marathon PB", "race day", "fast 10K races"),
    ),
    # ---- hiking-boots ---------------------------------------------------------------------
    ProductType(
        "mid-boot",
        "hiking-boots",
        "Waterproof Mid Hiking Boot",
        "a waterproof hiking boot",
        ("waterproof hiking boots", "mid hiking boots", "hiking boots"),
        9,
        (99, 189),
        HIKE_BRANDS,
        ("Tarn", "Skarven", "Highmoor", "Ridgewalker", "Fellside"),
        ("nubuck leather", "suede and mesh", "synthetic fabric"),
        EARTH_COLOURS,
        SHOE_SIZES,
        waterproof=True,
        leads=(
            "A waterproof mid-cut hiking boot with {a_material} upper, a breathable membrane "
            "and a deep-lug rubber sole for day hikes on rough trails.",
            "This mid boot keeps feet dry on wet trails with a waterproof membrane behind the "
            "{material} upper, and supports the ankle on uneven ground.",
        ),
        extras=(
            "A cushioned EVA midsole absorbs shock on long descents.",
            "The rubber toe cap protects against rocks and roots.",
        ),
        complements=("hiking-socks", "trekking-poles", "daypack", "hiking-pack"),
        uses=("day hikes", "wet trails", "hiking in the Rockies"),
    ),
    ProductType(
        "leather-boot",
        "hiking-boots",
        "Leather Trekking Boot",
        "a leather trekking boot",
        ("leather hiking boots", "trekking boots", "backpacking boots"),
        6,
        (169, 259),
        HIKE_BRANDS,
        ("Bergholm", "Summit Line", "Glacier Pass", "Ironridge"),
        ("full-grain leather",),
        ("brown", "dark brown", "tan", "black"),
        SHOE_SIZES,
        waterproof=True,
        leads=(
            "A durable {material} boot for multi-day treks with a heavy pack, with a stiff "
            "midsole, a rubber rand and a waterproof lining.",
            "Hand-finished in {material}, this trekking boot gives firm ankle support and "
            "stays waterproof on long days in the mountains.",
        ),
        extras=("It can be resoled, so a good pair lasts for years.",),
        complements=("hiking-socks", "trekking-poles", "trekking-pack"),
        uses=("multi-day treks", "backpacking with a heavy pack"),
    ),
    ProductType(
        "hiking-shoe",
        "hiking-boots",
        "Lightweight Hiking Shoe",
        "a lightweight hiking shoe",
        ("hiking shoes", "light hiking shoes", "low hiking shoes"),
        7,
        (69, 129),
        HIKE_BRANDS,
        ("Trailhopper", "Lowland", "Moorstep", "Brookside"),
        ("mesh and synthetic", "suede and mesh"),
        EARTH_COLOURS,
        SHOE_SIZES,
        waterproof=False,
        leads=(
            "A low-cut, lightweight hiking shoe for well-marked trails and travel, with a "
            "{material} upper and a sticky rubber outsole.",
            "Light enough for travel and grippy enough for the trail, with a breathable "
            "{material} upper and a cushioned midsole.",
        ),
        complements=("hiking-socks", "daypack"),
        uses=("easy trails", "travel and city walks"),
    ),
    ProductType(
        "winter-boot",
        "hiking-boots",
        "Insulated Winter Boot",
        "a winter boot",
        ("winter boots", "snow boots", "insulated boots"),
        6,
        (119, 199),
        HIKE_BRANDS,
        ("Frostline", "Snowdrift", "Polar Ridge", "Icefield"),
        ("waterproof leather", "nylon and suede"),
        ("black", "brown", "charcoal", "olive"),
        SHOE_SIZES,
        waterproof=True,
        leads=(
            "Insulated with 200 g synthetic fill and rated to -25 °C, this winter boot has a "
            "{material} upper and a slip-resistant rubber sole for snow and ice.",
            "A warm, waterproof winter boot with {a_material} upper, a fleece lining and a "
            "grippy sole made for icy pavements and snowy trails.",
        ),
        complements=("hiking-socks", "beanie", "gloves"),
        uses=("snowy winters", "winter walks"),
    ),
    # ---- casual-shoes ---------------------------------------------------------------------
    ProductType(
        "canvas-sneaker",
        "casual-shoes",
        "Canvas Sneaker",
        "a canvas sneaker",
        ("canvas sneakers", "canvas shoes", "low-top sneakers"),
        8,
        (34, 69),
        CASUAL_BRANDS,
        ("Harbour", "Daybreak", "Classic Low", "Courtside", "Seabright"),
        ("organic cotton canvas",),
        ("white", "black", "navy", "sand", "sage green", "red"),
        {"Unisex": ("EU 36-46",)},
        waterproof=False,
        leads=(
            "A classic low-top sneaker in {material} with a vulcanised rubber sole and a "
            "cushioned footbed for everyday wear.",
            "Simple and easy to style, this {material} sneaker has a padded collar and a "
            "natural rubber sole.",
        ),
        extras=("Machine washable at 30 °C.",),
        complements=("cotton-tee",),
    ),
    ProductType(
        "leather-sneaker",
        "casual-shoes",
        "Leather Sneaker",
        "a leather sneaker",
        ("leather sneakers", "white sneakers", "leather trainers"),
        7,
        (79, 139),
        CASUAL_BRANDS,
        ("Avenue", "Eastgate", "Mercer", "Portland Low"),
        ("full-grain leather",),
        ("white", "white/green", "black", "tan"),
        {"Men's": ("EU 40-47",), "Women's": ("EU 36-42",)},
        waterproof=False,
        leads=(
            "A minimalist leather sneaker with a stitched cupsole, a leather lining and a "
            "cushioned insole that moulds to your foot over time.",
            "Clean lines and soft {material}: a smart everyday sneaker that works with jeans "
            "or chinos.",
        ),
        complements=("cotton-tee",),
    ),
    ProductType(
        "slip-on",
        "casual-shoes",
        "Slip-On Shoe",
        "a slip-on shoe",
        ("slip-on shoes", "slip-ons", "easy slip-on sneakers"),
        5,
        (29, 59),
        CASUAL_BRANDS,
        ("Easygoing", "Lazy Sunday", "Boardwalk", "Driftwood"),
        ("canvas", "recycled knit"),
        ("black", "navy", "grey", "checkerboard", "sand"),
        {"Unisex": ("EU 36-46",)},
        waterproof=False,
        leads=(
            "Easy to pull on, this slip-on has {a_material} upper with elastic side panels "
            "and a flexible rubber sole.",
        ),
    ),
    ProductType(
        "knit-sneaker",
        "casual-shoes",
        "Knit Sneaker",
        "a knit sneaker",
        ("knit sneakers", "knit shoes", "lightweight sneakers"),
        4,
        (49, 89),
        CASUAL_BRANDS,
        ("Airloom", "Featherknit", "Cloudwalker", "Softstep"),
        ("recycled polyester knit",),
        ("grey", "black", "off-white", "blush pink", "navy"),
        {"Men's": ("EU 40-47",), "Women's": ("EU 36-42",)},
        waterproof=False,
        leads=(
            "A light, sock-like sneaker with {a_material} upper made from recycled bottles and "
            "a soft foam sole for all-day comfort.",
        ),
        extras=("Packs flat for travel.",),
    ),
    ProductType(
        "chelsea-boot",
        "casual-shoes",
        "Chelsea Boot",
        "a Chelsea boot",
        ("Chelsea boots", "ankle boots", "casual boots"),
        4,
        (99, 169),
        CASUAL_BRANDS,
        ("Camden", "Hollis", "Bramley", "Weston"),
        ("suede", "waxed leather"),
        ("tan", "dark brown", "black", "taupe"),
        {"Men's": ("EU 40-47",), "Women's": ("EU 36-42",)},
        waterproof=False,
        leads=(
            "A timeless Chelsea boot in {material} with elastic side gussets, a pull tab and "
            "a grippy rubber sole.",
        ),
        extras=("Treat suede with a protector spray before wearing it in the rain.",),
    ),
    # ---- t-shirts ---------------------------------------------------------------------------
    ProductType(
        "cotton-tee",
        "t-shirts",
        "Organic Cotton T-Shirt",
        "a cotton t-shirt",
        ("cotton t-shirts", "plain tees", "basic t-shirts"),
        8,
        (14, 29),
        CASUAL_BRANDS,
        ("Essential Crew", "Everyday", "Heritage", "Weekend", "Base"),
        ("100% organic cotton",),
        TEE_COLOURS,
        APPAREL_SIZES,
        leads=(
            "A soft, midweight crew-neck tee in {material} (180 g/m²) with a regular fit that "
            "holds its shape wash after wash.",
            "Our everyday t-shirt, cut from {material} with a ribbed collar and double-stitched "
            "hems.",
        ),
        extras=("Pre-shrunk, so it keeps its size in the wash.",),
    ),
    ProductType(
        "running-tee",
        "t-shirts",
        "Technical Running T-Shirt",
        "a running t-shirt",
        ("running t-shirts", "running tops", "technical tees"),
        8,
        (24, 45),
        RUN_BRANDS,
        ("Breeze", "Dryline", "Tempo", "Featherweight", "Split"),
        ("recycled polyester", "polyester with mesh panels"),
        ("black", "white", "volt yellow", "coral", "navy", "sky blue", "graphite"),
        APPAREL_SIZES,
        leads=(
            "A quick-drying running tee in {material} that wicks sweat and has flatlock seams "
            "to prevent chafing.",
            "Light and breathable, this running top in {material} has a close fit and "
            "reflective prints for low light.",
        ),
        complements=("running-socks", "running-cap"),
    ),
    ProductType(
        "merino-tee",
        "t-shirts",
        "Merino Wool T-Shirt",
        "a merino t-shirt",
        ("merino t-shirts", "merino tees", "wool t-shirts"),
        6,
        (49, 79),
        HIKE_BRANDS,
        ("Nomad", "Alpine", "Wanderer", "Basecamp"),
        ("150 g/m² merino wool",),
        ("black", "charcoal", "forest green", "navy", "rust"),
        APPAREL_SIZES,
        leads=(
            "A lightweight tee in {material} that regulates temperature and resists odour, so "
            "you can wear it for several days on the trail.",
        ),
        extras=("Soft next to the skin and not itchy.",),
        complements=("hiking-socks",),
    ),
    ProductType(
        "graphic-tee",
        "t-shirts",
        "Graphic T-Shirt",
        "a graphic t-shirt",
        ("graphic tees", "printed t-shirts", "graphic t-shirts"),
        5,
        (19, 32),
        CASUAL_BRANDS,
        ("Mountain Line", "Sunrise Trail", "Campfire", "Wildflower", "Peak Outline"),
        ("100% cotton",),
        ("white", "sand", "heather grey", "navy", "olive"),
        APPAREL_SIZES,
        leads=(
            "A relaxed-fit tee in {material} with a screen-printed {model} design on the "
            "front, printed with water-based inks.",
        ),
    ),
    ProductType(
        "long-sleeve",
        "t-shirts",
        "Long-Sleeve Base Layer",
        "a base layer",
        ("base layers", "long-sleeve tops", "thermal tops"),
        5,
        (29, 59),
        HIKE_BRANDS,
        ("Thermo", "Layer One", "Coldfront", "Ember"),
        ("merino wool blend", "recycled polyester"),
        ("black", "navy", "charcoal", "red"),
        APPAREL_SIZES,
        leads=(
            "A close-fitting long-sleeve base layer in {material} that keeps you warm and dry "
            "under a jacket on cold runs and hikes.",
        ),
        extras=("Thumb loops keep the sleeves in place.",),
    ),
    # ---- jackets -------------------------------------------------------------------------------
    ProductType(
        "rain-jacket",
        "jackets",
        "Waterproof Rain Jacket",
        "a rain jacket",
        ("rain jackets", "waterproof jackets", "rain coats"),
        7,
        (89, 199),
        OUTDOOR_BRANDS,
        ("Stormline", "Cloudburst", "Drizzle Pro", "Monsoon", "Squall"),
        ("2.5-layer recycled nylon", "3-layer waterproof fabric"),
        JACKET_COLOURS,
        APPAREL_SIZES,
        waterproof=True,
        leads=(
            "A packable rain jacket in {material} with taped seams, an adjustable hood and "
            "pit zips for ventilation on wet hikes.",
            "Fully waterproof and breathable, this {material} shell has a helmet-compatible "
            "hood and two zipped hand pockets.",
        ),
        extras=("Rated to a 20,000 mm hydrostatic head.", "Packs into its own chest pocket."),
        complements=("daypack", "hiking-pack", "fleece"),
        uses=("rainy hikes", "wet commutes"),
    ),
    ProductType(
        "down-jacket",
        "jackets",
        "Down Jacket",
        "a down jacket",
        ("down jackets", "puffer jackets", "puffy jackets"),
        6,
        (139, 289),
        OUTDOOR_BRANDS,
        ("Eiderlight", "Snowline", "Nordlys", "Cirrus"),
        ("700-fill responsibly sourced down with a nylon shell",),
        JACKET_COLOURS,
        APPAREL_SIZES,
        waterproof=False,
        leads=(
            "A warm, lightweight down jacket insulated with {material}; it packs into its own "
            "pocket.",
            "Our warmest layer for cold days: {material}, a water-repellent finish and "
            "elasticated cuffs.",
        ),
        extras=("Not waterproof: wear a rain shell over it in heavy rain.",),
        complements=("beanie", "gloves"),
        uses=("cold winters", "winter camping"),
    ),
    ProductType(
        "softshell",
        "jackets",
        "Softshell Jacket",
        "a softshell jacket",
        ("softshell jackets", "softshells", "wind-resistant jackets"),
        5,
        (89, 159),
        OUTDOOR_BRANDS,
        ("Granite", "Vertex", "Scramble", "Outcrop"),
        ("stretch softshell (polyester/elastane)",),
        JACKET_COLOURS,
        APPAREL_SIZES,
        waterproof=False,
        leads=(
            "A stretchy, wind-resistant jacket in {material} with a brushed inner face, ideal "
            "for climbing, ski touring and cool-weather hiking.",
        ),
    ),
    ProductType(
        "fleece",
        "jackets",
        "Fleece Jacket",
        "a fleece jacket",
        ("fleece jackets", "fleeces", "mid-layers"),
        6,
        (39, 89),
        OUTDOOR_BRANDS,
        ("Hearthside", "Cosy Peak", "Lodge", "Trailfleece"),
        ("recycled polyester",),
        JACKET_COLOURS,
        APPAREL_SIZES,
        waterproof=False,
        leads=(
            "A cosy full-zip fleece in {material} that works as a mid-layer in winter or on "
            "its own on cool evenings.",
        ),
        extras=("Made from recycled plastic bottles.",),
        complements=("rain-jacket", "beanie"),
    ),
    ProductType(
        "windbreaker",
        "jackets",
        "Running Windbreaker",
        "a running jacket",
        ("running jackets", "windbreakers", "wind jackets"),
        4,
        (49, 99),
        RUN_BRANDS,
        ("Gust", "Slipstream", "Tailwind", "Airshell"),
        ("ripstop nylon",),
        ("black", "volt yellow", "navy", "coral"),
        APPAREL_SIZES,
        waterproof=False,
        leads=(
            "A feather-light running jacket in {material} that blocks wind and light drizzle "
            "and packs into its chest pocket.",
        ),
        complements=("running-cap", "gloves"),
    ),
    # ---- backpacks ---------------------------------------------------------------------------
    ProductType(
        "daypack",
        "backpacks",
        "Daypack",
        "a daypack",
        ("daypacks", "day packs", "small hiking backpacks"),
        6,
        (39, 89),
        OUTDOOR_BRANDS,
        ("Rambler", "Daytrip", "Summit 22", "Trailmate", "Hillside"),
        ("recycled ripstop nylon", "600D polyester"),
        ("black", "navy", "olive", "orange", "grey"),
        {"": ("18 L", "22 L", "25 L")},
        waterproof=False,
        leads=(
            "A light {size} daypack in {material} with a padded back panel, a hydration "
            "sleeve and side pockets for water bottles.",
            "Sized {size} for day hikes and city days, this {material} pack has a ventilated "
            "back and a padded hip belt.",
        ),
        complements=("water-bottle", "rain-jacket", "headlamp"),
        uses=("day hikes", "travel"),
    ),
    ProductType(
        "hiking-pack",
        "backpacks",
        "Hiking Backpack",
        "a hiking backpack",
        ("hiking backpacks", "hiking packs", "overnight packs"),
        6,
        (99, 189),
        OUTDOOR_BRANDS,
        ("Ascent", "Wayfarer", "Ridge Runner", "Highpoint"),
        ("ripstop nylon",),
        ("black", "blue", "forest green", "red", "grey"),
        {"": ("35 L", "40 L", "45 L")},
        waterproof=False,
        leads=(
            "A {size} hiking pack with an adjustable back system, hip-belt pockets and an "
            "integrated rain cover for long day hikes and overnight trips.",
        ),
        extras=("Made from tough {material} with a reinforced base.",),
        complements=("water-bottle", "headlamp", "trekking-poles", "rain-jacket"),
        uses=("overnight hikes", "long day hikes"),
    ),
    ProductType(
        "trekking-pack",
        "backpacks",
        "Trekking Backpack",
        "a trekking backpack",
        ("trekking backpacks", "big backpacks", "backpacking packs"),
        4,
        (169, 279),
        OUTDOOR_BRANDS,
        ("Expedition", "Longhaul", "Traverse", "Basecamp Pro"),
        ("high-tenacity nylon",),
        ("black", "blue", "forest green", "red"),
        {"": ("55 L", "60 L", "65 L")},
        waterproof=False,
        leads=(
            "A {size} load-carrying pack for multi-day treks, with an aluminium frame, a "
            "ventilated back panel and a lid that converts into a hip bag.",
        ),
        complements=("tent-2p", "sleeping-bag", "sleeping-pad", "trekking-poles"),
        uses=("multi-day treks", "thru-hiking"),
    ),
    ProductType(
        "commuter-pack",
        "backpacks",
        "Commuter Backpack",
        "a commuter backpack",
        ("laptop backpacks", "commuter backpacks", "work backpacks"),
        4,
        (59, 129),
        CASUAL_BRANDS,
        ("Metro", "Daily Commute", "Citybound", "Transit"),
        ("water-resistant waxed canvas", "recycled polyester"),
        ("black", "charcoal", "olive", "navy"),
        {"": ("20 L", "24 L")},
        waterproof=False,
        leads=(
            "A clean-looking {size} commuter backpack in {material} with a padded 16-inch "
            "laptop sleeve, a luggage pass-through and a hidden back pocket.",
        ),
        complements=("power-bank", "charger", "water-bottle"),
        uses=("commuting with a laptop", "university"),
    ),
    ProductType(
        "hydration-vest",
        "backpacks",
        "Running Hydration Vest",
        "a running vest",
        ("hydration vests", "running vests", "running backpacks"),
        4,
        (69, 139),
        RUN_BRANDS,
        ("Flowline", "Ultra Vest", "Aquarun", "Skyrun"),
        ("stretch mesh",),
        ("black", "blue", "volt yellow", "grey"),
        {"": ("5 L", "8 L", "12 L")},
        waterproof=False,
        leads=(
            "A snug-fitting {size} running vest in {material} with two 500 ml soft flasks "
            "included and quick-access pockets for gels and a phone.",
        ),
        complements=("trail-shoe", "headlamp", "running-cap"),
        uses=("trail races", "long runs"),
    ),
    # ---- outdoor-gear ------------------------------------------------------------------------
    ProductType(
        "tent-2p",
        "outdoor-gear",
        "2-Person Backpacking Tent",
        "a 2-person tent",
        ("2-person tents", "backpacking tents", "two-person tents", "lightweight tents"),
        5,
        (149, 329),
        OUTDOOR_BRANDS,
        ("Nightfall", "Pinecone", "Starlight", "Hollow", "Skyline"),
        ("20D ripstop nylon with aluminium poles",),
        ("green", "orange", "grey", "sand"),
        {"": ("2-person",)},
        waterproof=True,
        leads=(
            "A freestanding two-person tent weighing about {kg} kg, with two doors, two "
            "vestibules and a 3,000 mm waterproof flysheet.",
            "Light enough for backpacking at {kg} kg, this two-person tent pitches in minutes "
            "and stays dry with a 3,000 mm fly.",
        ),
        extras=("Made from {material}.", "Stakes, guylines and a stuff sack are included."),
        params={"kg": ("1.4", "1.7", "1.9", "2.1", "2.3")},
        complements=("sleeping-bag", "sleeping-pad", "headlamp", "stove", "down-bag"),
        uses=("backpacking trips", "wild camping", "a weekend in the mountains"),
    ),
    ProductType(
        "tent-family",
        "outdoor-gear",
        "4-Person Family Tent",
        "a family tent",
        ("family tents", "4-person tents", "big tents", "camping tents"),
        4,
        (199, 449),
        OUTDOOR_BRANDS,
        ("Homestead", "Meadow", "Campground", "Lakeside"),
        ("polyester flysheet with fibreglass poles",),
        ("green", "grey", "sand", "blue"),
        {"": ("4-person",)},
        waterproof=True,
        leads=(
            "A spacious tunnel tent for four with a dark bedroom, a large porch for gear and "
            "a 3,000 mm waterproof {material}.",
        ),
        extras=("Standing height in the porch is 190 cm.",),
        complements=("sleeping-bag", "camp-chair", "headlamp", "stove", "cookset"),
        uses=("family camping", "festival weekends"),
    ),
    ProductType(
        "sleeping-bag",
        "outdoor-gear",
        "Synthetic Sleeping Bag",
        "a sleeping bag",
        ("sleeping bags", "synthetic sleeping bags", "three-season sleeping bags"),
        5,
        (59, 149),
        OUTDOOR_BRANDS,
        ("Snug", "Campfire", "Trailnight", "Dreamwood", "Nightwatch"),
        ("recycled polyester insulation",),
        ("blue", "green", "orange", "grey"),
        {"": ("Regular (up to 185 cm)", "Long (up to 200 cm)")},
        leads=(
            "A three-season mummy sleeping bag with a comfort rating of {temp} °C and "
            "{material} that stays warm even when damp.",
        ),
        extras=("A full-length zip lets it open out as a blanket.",),
        params={"temp": ("0", "2", "5", "-2")},
        complements=("sleeping-pad", "camp-pillow", "tent-2p"),
        uses=("summer camping", "three-season camping"),
    ),
    ProductType(
        "down-bag",
        "outdoor-gear",
        "Down Sleeping Bag",
        "a down sleeping bag",
        ("down sleeping bags", "winter sleeping bags", "warm sleeping bags"),
        4,
        (199, 379),
        OUTDOOR_BRANDS,
        ("Arctic", "Featherdown", "Highcamp", "Aurora"),
        ("800-fill down with a ripstop shell",),
        ("red", "blue", "yellow"),
        {"": ("Regular (up to 185 cm)", "Long (up to 200 cm)")},
        leads=(
            "A lightweight down mummy bag with a comfort rating of {temp} °C, a draught "
            "collar and a compression sack included.",
        ),
        extras=("Filled with {material}.",),
        params={"temp": ("-5", "-8", "-10")},
        complements=("sleeping-pad", "tent-2p", "camp-pillow"),
        uses=("winter camping", "cold nights in the mountains"),
    ),
    ProductType(
        "sleeping-pad",
        "outdoor-gear",
        "Insulated Sleeping Pad",
        "a sleeping pad",
        ("sleeping pads", "sleeping mats", "camping mats"),
        5,
        (49, 139),
        OUTDOOR_BRANDS,
        ("Cloudrest", "Airbed Lite", "Loft", "Restwell", "Nimbus"),
        ("TPU-coated nylon",),
        ("blue", "orange", "green", "grey"),
        {"": ("Regular", "Wide")},
        leads=(
            "An inflatable sleeping pad with an R-value of {rvalue}, 7 cm thick, that packs "
            "down to the size of a water bottle.",
        ),
        extras=("Made from {material}; a pump sack and repair kit are included.",),
        params={"rvalue": ("2.8", "3.2", "4.2", "5.1")},
        complements=("sleeping-bag", "camp-pillow"),
    ),
    ProductType(
        "camp-pillow",
        "outdoor-gear",
        "Inflatable Camping Pillow",
        "a camping pillow",
        ("camping pillows", "travel pillows", "inflatable pillows"),
        3,
        (15, 35),
        OUTDOOR_BRANDS,
        ("Pillowcloud", "Snooze", "Featherlight"),
        ("brushed polyester and TPU",),
        ("grey", "blue", "green"),
        leads=(
            "A soft inflatable pillow with {a_material} cover that packs down to the size of "
            "a fist and inflates in three breaths.",
        ),
    ),
    ProductType(
        "stove",
        "outdoor-gear",
        "Camping Stove",
        "a camping stove",
        ("camping stoves", "backpacking stoves", "gas stoves"),
        3,
        (39, 99),
        OUTDOOR_BRANDS,
        ("Blaze", "Pocket Rocket Lite", "Emberline"),
        ("stainless steel and aluminium",),
        leads=(
            "A compact canister stove that boils 1 litre of water in about 3 minutes, with a "
            "piezo igniter and a foldable pot support.",
        ),
        extras=("Gas canisters are sold separately in local stores.",),
        complements=("cookset",),
    ),
    ProductType(
        "cookset",
        "outdoor-gear",
        "Camping Cookset",
        "a cookset",
        ("cooksets", "camping pots", "camping cookware"),
        3,
        (29, 79),
        OUTDOOR_BRANDS,
        ("Trailkitchen", "Nest", "Basecook"),
        ("hard-anodised aluminium", "titanium"),
        leads=(
            "A nesting {material} cookset with a 1.2 L pot, a frying pan and two cups, all "
            "packed in a mesh bag.",
        ),
        complements=("stove",),
    ),
    ProductType(
        "headlamp",
        "outdoor-gear",
        "Rechargeable Headlamp",
        "a headlamp",
        ("headlamps", "head torches", "head lamps"),
        4,
        (19, 59),
        OUTDOOR_BRANDS,
        ("Beacon", "Nightowl", "Lumen", "Glowpoint"),
        ("ABS housing with a fabric strap",),
        ("black", "orange", "blue"),
        waterproof=False,
        leads=(
            "A USB-C rechargeable headlamp with {lumens} lumens, a red night-vision mode and "
            "up to 40 hours of burn time on low.",
        ),
        extras=("Splash-proof to IPX4.",),
        params={"lumens": ("250", "350", "450", "600")},
    ),
    ProductType(
        "trekking-poles",
        "outdoor-gear",
        "Trekking Poles (Pair)",
        "a pair of trekking poles",
        ("trekking poles", "hiking poles", "walking poles"),
        4,
        (39, 139),
        OUTDOOR_BRANDS,
        ("Stride", "Summit Pair", "Ridge", "Ascent"),
        ("aluminium", "carbon fibre"),
        ("black", "red", "blue"),
        leads=(
            "A pair of adjustable {material} trekking poles with cork grips and quick-lock "
            "clamps that collapse to 62 cm for travel.",
        ),
        complements=("mid-boot", "hiking-socks"),
    ),
    ProductType(
        "camp-chair",
        "outdoor-gear",
        "Folding Camp Chair",
        "a camp chair",
        ("camping chairs", "camp chairs", "folding chairs"),
        3,
        (29, 89),
        OUTDOOR_BRANDS,
        ("Lounger", "Fireside", "Packseat"),
        ("aluminium frame and mesh seat",),
        ("green", "grey", "blue"),
        leads=(
            "A packable camp chair with {a_material} that holds up to 120 kg and sets up in "
            "under a minute.",
        ),
        complements=("tent-family",),
    ),
    # ---- accessories -------------------------------------------------------------------------
    ProductType(
        "running-socks",
        "accessories",
        "Running Socks (3 Pack)",
        "running socks",
        ("running socks", "socks for running", "anti-blister socks"),
        6,
        (14, 24),
        RUN_BRANDS,
        ("Blisterfree", "Quarter Crew", "No-Show", "Cushion Run"),
        ("recycled polyamide blend", "merino wool blend"),
        ("black", "white", "grey", "multicolour"),
        {"": ("S (EU 35-38)", "M (EU 39-42)", "L (EU 43-46)")},
        leads=(
            "Cushioned, anatomically shaped running socks in a {material} with a seamless toe "
            "and arch support to prevent blisters.",
        ),
        complements=("road-shoe", "daily-trainer"),
    ),
    ProductType(
        "hiking-socks",
        "accessories",
        "Hiking Socks (2 Pack)",
        "hiking socks",
        ("hiking socks", "wool socks", "boot socks"),
        5,
        (18, 32),
        HIKE_BRANDS,
        ("Trail Crew", "Heavyweight", "Midweight", "Summit Sock"),
        ("merino wool blend",),
        ("grey", "navy", "charcoal", "olive"),
        {"": ("S (EU 35-38)", "M (EU 39-42)", "L (EU 43-46)")},
        leads=(
            "Thick, cushioned {material} hiking socks that keep feet warm and dry and reduce "
            "rubbing in boots on long days.",
        ),
        complements=("mid-boot",),
    ),
    ProductType(
        "running-belt",
        "accessories",
        "Running Belt",
        "a running belt",
        ("running belts", "phone belts for running", "waist belts"),
        4,
        (19, 35),
        RUN_BRANDS,
        ("Bounce-Free", "Slimfit", "Racebelt", "Zipper Belt"),
        ("stretch Lycra blend",),
        ("black", "blue", "volt yellow"),
        {"": ("one size (adjustable)",)},
        leads=(
            "A bounce-free running belt in {material} with a stretch pocket that fits a large "
            "phone, keys and gels, plus reflective trims.",
        ),
        complements=("road-shoe", "running-cap"),
    ),
    ProductType(
        "running-cap",
        "accessories",
        "Running Cap",
        "a running cap",
        ("running caps", "sports caps", "running hats"),
        4,
        (18, 32),
        RUN_BRANDS,
        ("Sweatline", "Sunblock", "Airflow", "Tempo Cap"),
        ("lightweight polyester",),
        ("black", "white", "navy", "coral"),
        {"": ("one size",)},
        leads=(
            "A light, quick-drying running cap in {material} with a perforated crown, a soft "
            "sweatband and an adjustable back strap.",
        ),
    ),
    ProductType(
        "beanie",
        "accessories",
        "Merino Beanie",
        "a beanie",
        ("beanies", "winter hats", "wool hats"),
        4,
        (22, 39),
        HIKE_BRANDS,
        ("Fjord", "Snowcap", "Cabin", "Ridge"),
        ("merino wool",),
        ("black", "grey", "mustard", "forest green", "burgundy"),
        {"": ("one size",)},
        leads=(
            "A warm, soft {material} beanie that is thin enough to wear under a hood and "
            "doesn't itch.",
        ),
    ),
    ProductType(
        "gloves",
        "accessories",
        "Touchscreen Gloves",
        "a pair of gloves",
        ("gloves", "running gloves", "touchscreen gloves"),
        4,
        (19, 45),
        RUN_BRANDS,
        ("Grip", "Warmline", "Wintertouch", "Frostrun"),
        ("stretch fleece",),
        ("black", "grey", "navy"),
        {"": ("S-XL",)},
        leads=(
            "Light gloves in {material} with touchscreen-compatible fingertips and a silicone "
            "grip palm for cold-weather runs and walks.",
        ),
    ),
    ProductType(
        "water-bottle",
        "accessories",
        "Insulated Water Bottle 750 ml",
        "a water bottle",
        ("water bottles", "insulated bottles", "drink bottles"),
        5,
        (19, 39),
        OUTDOOR_BRANDS,
        ("Thermo", "Everflask", "Canyon", "Springwell", "Glacier"),
        ("double-wall stainless steel",),
        ("black", "white", "teal", "sand", "red"),
        {"": ("750 ml",)},
        leads=(
            "A {material} bottle that keeps drinks cold for 24 hours or hot for 12, with a "
            "leak-proof lid and a carry loop.",
        ),
        extras=("BPA-free, and the lid is dishwasher safe.",),
    ),
    ProductType(
        "sunglasses",
        "accessories",
        "Sport Sunglasses",
        "sport sunglasses",
        ("sunglasses", "sport sunglasses", "running sunglasses"),
        4,
        (39, 119),
        RUN_BRANDS,
        ("Horizon", "Glare Guard", "Solstice", "Sightline"),
        ("polycarbonate lenses in a TR90 frame",),
        ("black", "white", "tortoise", "matte blue"),
        leads=(
            "Wraparound sport sunglasses with category 3 polarised {material}, 100% UV "
            "protection and rubber nose pads that stay put when you sweat.",
        ),
    ),
    # ---- home-kitchen ------------------------------------------------------------------------
    ProductType(
        "french-press",
        "home-kitchen",
        "French Press 1 L",
        "a French press",
        ("French presses", "cafetieres", "coffee presses"),
        4,
        (24, 49),
        KITCHEN_BRANDS,
        ("Morning Ritual", "Brewhouse", "Café Classic", "Slow Pour"),
        ("borosilicate glass and stainless steel", "double-wall stainless steel"),
        ("silver", "black", "copper"),
        {"": ("1 L",)},
        leads=(
            "A 1-litre French press in {material} with a four-layer mesh filter for "
            "full-bodied coffee, about four mugs at a time.",
        ),
        complements=("grinder", "mug-set", "kettle"),
        uses=("coffee at home",),
    ),
    ProductType(
        "grinder",
        "home-kitchen",
        "Burr Coffee Grinder",
        "a coffee grinder",
        ("coffee grinders", "burr grinders", "grinders"),
        4,
        (39, 159),
        KITCHEN_BRANDS,
        ("Precision", "Handmill", "Grindwell", "Barista"),
        ("stainless steel burrs", "ceramic burrs"),
        ("black", "silver", "white"),
        leads=(
            "A coffee grinder with {material} and 18 grind settings, from fine espresso to "
            "coarse French press.",
        ),
        extras=("Grinding fresh makes a real difference to the taste.",),
        complements=("french-press", "kettle"),
    ),
    ProductType(
        "kettle",
        "home-kitchen",
        "Electric Gooseneck Kettle",
        "a gooseneck kettle",
        ("kettles", "gooseneck kettles", "electric kettles"),
        4,
        (49, 119),
        KITCHEN_BRANDS,
        ("Pourover", "Steady Flow", "Teatime", "Slowdrip"),
        ("stainless steel",),
        ("matte black", "white", "brushed steel"),
        {"": ("0.9 L",)},
        leads=(
            "A 0.9 L {material} gooseneck kettle with precise temperature control from 40 to "
            "100 °C, ideal for pour-over coffee and green tea.",
        ),
        complements=("grinder", "mug-set"),
    ),
    ProductType(
        "chef-knife",
        "home-kitchen",
        "Chef's Knife 20 cm",
        "a chef's knife",
        ("chef's knives", "kitchen knives", "knives"),
        4,
        (39, 149),
        KITCHEN_BRANDS,
        ("Artisan", "Everyday Edge", "Kiritsuke", "Prosteel"),
        ("German stainless steel", "Japanese VG-10 steel"),
        leads=(
            "A 20 cm chef's knife forged from {material}, with a full tang and an ergonomic "
            "handle for slicing, dicing and chopping.",
        ),
        extras=("Hand wash only to keep the edge sharp.",),
        complements=("cutting-board",),
    ),
    ProductType(
        "cutting-board",
        "home-kitchen",
        "Cutting Board",
        "a cutting board",
        ("cutting boards", "chopping boards", "wooden boards"),
        3,
        (19, 49),
        KITCHEN_BRANDS,
        ("Butcher Block", "Kitchen Craft", "Grainline"),
        ("end-grain acacia wood", "bamboo"),
        sizes={"": ("40 x 30 cm",)},
        leads=(
            "A sturdy {material} cutting board with a juice groove that is gentle on knife edges.",
        ),
        complements=("chef-knife",),
    ),
    ProductType(
        "skillet",
        "home-kitchen",
        "Cast Iron Skillet 26 cm",
        "a cast iron skillet",
        ("cast iron pans", "skillets", "frying pans"),
        3,
        (29, 69),
        KITCHEN_BRANDS,
        ("Hearth", "Campfire Classic", "Ironside"),
        ("pre-seasoned cast iron",),
        sizes={"": ("26 cm",)},
        leads=(
            "A 26 cm {material} skillet that works on gas, induction, in the oven and over a "
            "campfire, and gets better with every use.",
        ),
    ),
    ProductType(
        "mug-set",
        "home-kitchen",
        "Ceramic Mug Set (4 Pieces)",
        "a mug set",
        ("mugs", "mug sets", "coffee mugs"),
        4,
        (24, 44),
        KITCHEN_BRANDS,
        ("Glazed", "Studio", "Potter's", "Morning"),
        ("stoneware",),
        ("sand", "ocean blue", "speckled white", "charcoal"),
        {"": ("350 ml",)},
        leads=(
            "A set of four 350 ml {material} mugs with a reactive glaze, dishwasher and "
            "microwave safe.",
        ),
        complements=("french-press",),
    ),
    ProductType(
        "saucepan",
        "home-kitchen",
        "Stainless Steel Saucepan",
        "a saucepan",
        ("saucepans", "pots", "cooking pots"),
        3,
        (39, 89),
        KITCHEN_BRANDS,
        ("Triply", "Chef's Choice", "Everyday"),
        ("tri-ply stainless steel",),
        sizes={"": ("16 cm", "18 cm", "20 cm")},
        leads=(
            "A {size} {material} saucepan with a glass lid and an aluminium core that heats "
            "evenly on every hob, including induction.",
        ),
    ),
    ProductType(
        "storage-set",
        "home-kitchen",
        "Glass Food Storage Set",
        "a food storage set",
        ("food containers", "storage containers", "meal prep containers"),
        3,
        (25, 49),
        KITCHEN_BRANDS,
        ("Freshkeep", "Pantry", "Lunchbox"),
        ("borosilicate glass with bamboo lids",),
        leads=(
            "A set of five containers in {material}; the glass is safe for the oven, freezer "
            "and dishwasher.",
        ),
    ),
    # ---- electronics -------------------------------------------------------------------------
    ProductType(
        "anc-headphones",
        "electronics",
        "Wireless Noise-Cancelling Headphones",
        "noise-cancelling headphones",
        ("headphones", "noise-cancelling headphones", "over-ear headphones"),
        5,
        (99, 299),
        TECH_BRANDS,
        ("Quietwave", "Studio ANC", "Silence Pro", "Voyager"),
        ("aluminium and protein leather",),
        ("black", "silver", "midnight blue", "sand"),
        leads=(
            "Over-ear Bluetooth headphones with active noise cancelling, up to {battery} hours "
            "of battery life and a fold-flat design with a travel case.",
        ),
        extras=("Made from {material}, with soft memory-foam ear cushions.",),
        params={"battery": ("30", "40", "50")},
        complements=("charger", "power-bank"),
        uses=("flights", "working from home", "commuting"),
    ),
    ProductType(
        "earbuds",
        "electronics",
        "True Wireless Earbuds",
        "wireless earbuds",
        ("earbuds", "wireless earbuds", "sports earbuds"),
        6,
        (39, 179),
        TECH_BRANDS,
        ("Pulse Buds", "Airtune", "Fitbuds", "Pocket Sound", "Echo Mini"),
        ("matte polycarbonate",),
        ("black", "white", "navy", "sage"),
        leads=(
            "Compact true wireless earbuds with {battery} hours of playback including the "
            "charging case, IPX4 sweat resistance and touch controls.",
        ),
        params={"battery": ("24", "28", "32", "36")},
        complements=("charger", "running-belt"),
        uses=("running", "the gym", "commuting"),
    ),
    ProductType(
        "gps-watch",
        "electronics",
        "GPS Running Watch",
        "a GPS running watch",
        ("GPS watches", "running watches", "sports watches"),
        5,
        (149, 449),
        TECH_BRANDS,
        ("Pacer", "Trailmaster", "Racetrack", "Endure"),
        ("fibre-reinforced polymer case with a silicone strap",),
        ("black", "white", "slate", "coral"),
        {"": ("42 mm", "46 mm")},
        leads=(
            "A GPS running watch with wrist heart rate, training plans and up to {battery} "
            "days of battery life in smartwatch mode.",
        ),
        extras=("Water-resistant to 50 m, so you can swim with it.",),
        params={"battery": ("7", "10", "14", "18")},
        complements=("running-socks", "road-shoe", "charger"),
        uses=("marathon training", "trail running", "triathlon"),
    ),
    ProductType(
        "fitness-tracker",
        "electronics",
        "Fitness Tracker",
        "a fitness tracker",
        ("fitness trackers", "activity trackers", "step counters"),
        3,
        (49, 129),
        TECH_BRANDS,
        ("Stepwise", "Active Band", "Vitals"),
        ("silicone strap",),
        ("black", "lilac", "mint", "navy"),
        leads=(
            "A slim fitness tracker that counts steps, measures heart rate and sleep, and lasts "
            "up to {battery} days per charge.",
        ),
        params={"battery": ("7", "10", "12")},
    ),
    ProductType(
        "speaker",
        "electronics",
        "Portable Bluetooth Speaker",
        "a Bluetooth speaker",
        ("Bluetooth speakers", "portable speakers", "waterproof speakers"),
        5,
        (39, 149),
        TECH_BRANDS,
        ("Boombox Go", "Rockpool", "Campfire Sound", "Roam", "Tidal"),
        ("rubberised fabric",),
        ("black", "blue", "red", "olive"),
        waterproof=True,
        leads=(
            "A rugged, IPX7 waterproof Bluetooth speaker with {battery} hours of playtime, a "
            "carabiner loop and stereo pairing.",
        ),
        params={"battery": ("12", "16", "20", "24")},
        complements=("power-bank",),
        uses=("camping", "the beach", "parties"),
    ),
    ProductType(
        "power-bank",
        "electronics",
        "USB-C Power Bank 10,000 mAh",
        "a power bank",
        ("power banks", "portable chargers", "battery packs"),
        4,
        (24, 59),
        TECH_BRANDS,
        ("Charge Pocket", "Juicebox", "Slimcell", "Trail Power"),
        ("aluminium casing",),
        ("black", "white", "orange"),
        leads=(
            "A pocket-size 10,000 mAh power bank with 20 W USB-C power delivery that charges a "
            "phone about twice.",
        ),
        extras=("Small enough for a running vest or a daypack lid.",),
        complements=("charger",),
    ),
    ProductType(
        "charger",
        "electronics",
        "USB-C Fast Charger 65 W",
        "a fast charger",
        ("chargers", "USB-C chargers", "wall chargers"),
        4,
        (24, 49),
        TECH_BRANDS,
        ("GaN Duo", "Powerstrip", "Travel Plug", "Rapid"),
        ("GaN electronics in a matte casing",),
        ("white", "black"),
        leads=(
            "A 65 W GaN wall charger with two USB-C ports and one USB-A port that charges a "
            "laptop, phone and watch at the same time.",
        ),
    ),
    # ---- yoga-fitness ------------------------------------------------------------------------
    ProductType(
        "yoga-mat",
        "yoga-fitness",
        "Yoga Mat",
        "a yoga mat",
        ("yoga mats", "exercise mats", "non-slip yoga mats"),
        5,
        (24, 89),
        YOGA_BRANDS,
        ("Lotus Grip", "Flow", "Balance", "Groundwork", "Sunrise"),
        ("natural rubber", "TPE", "cork and natural rubber"),
        ("plum", "sage green", "charcoal", "sand", "ocean blue"),
        {"": ("4 mm", "6 mm")},
        leads=(
            "A non-slip {size} yoga mat in {material} that cushions joints and grips well even "
            "in hot yoga.",
        ),
        extras=("Measures 183 x 61 cm and comes with a carry strap.",),
        complements=("yoga-block", "resistance-bands", "foam-roller"),
        uses=("hot yoga", "home workouts", "pilates"),
    ),
    ProductType(
        "yoga-block",
        "yoga-fitness",
        "Yoga Block",
        "a yoga block",
        ("yoga blocks", "yoga bricks", "cork blocks"),
        3,
        (12, 24),
        YOGA_BRANDS,
        ("Support", "Anchor", "Alignment"),
        ("cork", "EVA foam"),
        ("natural", "grey", "lilac"),
        leads=(
            "A firm {material} yoga block that helps with balance and alignment in standing "
            "poses and seated stretches.",
        ),
        complements=("yoga-mat",),
    ),
    ProductType(
        "resistance-bands",
        "yoga-fitness",
        "Resistance Band Set",
        "a resistance band set",
        ("resistance bands", "exercise bands", "workout bands"),
        4,
        (15, 39),
        YOGA_BRANDS,
        ("Flexforce", "Powerloop", "Tension", "Homegym"),
        ("natural latex",),
        ("multicolour",),
        leads=(
            "A set of five {material} resistance bands from extra light to extra heavy, with a "
            "carry bag and an exercise guide.",
        ),
        complements=("yoga-mat",),
    ),
    ProductType(
        "foam-roller",
        "yoga-fitness",
        "Foam Roller",
        "a foam roller",
        ("foam rollers", "massage rollers", "recovery rollers"),
        4,
        (19, 49),
        YOGA_BRANDS,
        ("Recovery", "Deep Tissue", "Smooth Roll", "Grid"),
        ("high-density EVA foam",),
        ("black", "blue", "orange"),
        {"": ("33 cm", "45 cm")},
        leads=(
            "A textured {size} foam roller in {material} for massaging calves, quads and back "
            "after running or training.",
        ),
        complements=("yoga-mat",),
    ),
    ProductType(
        "dumbbells",
        "yoga-fitness",
        "Adjustable Dumbbell",
        "an adjustable dumbbell",
        ("dumbbells", "adjustable dumbbells", "weights"),
        4,
        (99, 299),
        YOGA_BRANDS,
        ("Quickset", "Dial 24", "Ironflex", "Compact Gym"),
        ("steel plates with a nylon dial",),
        sizes={"": ("2-24 kg",)},
        leads=(
            "An adjustable dumbbell that replaces 15 sets of weights, going from 2 to 24 kg in "
            "seconds with a turn of the dial.",
            "Save space at home: this dumbbell adjusts from 2 to 24 kg in 2 kg steps and "
            "replaces a whole rack of weights.",
        ),
        complements=("yoga-mat",),
    ),
)

TYPES_BY_KEY: dict[str, ProductType] = {t.key: t for t in TYPES}

# Closing sentences any product of a category may get, so siblings do not read alike.
CATEGORY_EXTRAS: dict[str, tuple[str, ...]] = {
    "running-shoes": (
        "The {model} is one of {brand}'s best-loved models.",
        "Pair it with cushioned running socks for the best fit.",
        "True to size for most runners; see the size guide if you are between sizes.",
    ),
    "hiking-boots": (
        "Break them in on a few short walks before a long hike.",
        "Best worn with cushioned merino hiking socks.",
        "{brand} designs its boots in the Alps and tests them on real trails.",
    ),
    "casual-shoes": (
        "A versatile pair that goes with almost everything.",
        "The {model} is a {brand} classic.",
    ),
    "t-shirts": (
        "Machine washable at 30 °C.",
        "Part of {brand}'s core collection.",
        "Fits true to size.",
    ),
    "jackets": (
        "Two zipped hand pockets keep essentials safe.",
        "The hem adjusts with a drawcord to keep the wind out.",
        "Part of {brand}'s {model} range.",
    ),
    "backpacks": (
        "Made with a PFC-free water-repellent coating.",
        "The {model} comes with {brand}'s 2-year warranty.",
    ),
    "outdoor-gear": (
        "Trail-tested by the {brand} team.",
        "A dependable piece of kit for weekends outdoors.",
    ),
    "accessories": ("A small upgrade that makes a big difference outdoors.",),
    "home-kitchen": (
        "Comes gift-boxed.",
        "Designed by {brand} for everyday cooking.",
    ),
    "electronics": (
        "Comes with a USB-C charging cable.",
        "Backed by {brand}'s 2-year warranty.",
    ),
    "yoga-fitness": ("Ideal for home workouts and small spaces.",),
}


def _price(rng: random.Random, low: float, high: float) -> float:
    """A shop-like price in [low, high]: mostly x.99, some x4.95 / x9.95, a few whole dollars."""
    raw = rng.uniform(low, high)
    roll = rng.random()
    if roll < 0.7:
        cents = int(raw) * 100 + 99
    elif roll < 0.9:
        cents = int(round(raw / 5.0)) * 500 - 5
    else:
        cents = int(round(raw)) * 100
    cents = min(max(cents, int(low * 100) - 1), int(high * 100) + 99)
    return round(cents / 100.0, 2)


def _stock(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.08:
        return 0
    if roll < 0.28:
        return rng.randint(1, 9)
    return rng.randint(10, 200)


def build_catalogue(rng: random.Random) -> list[dict]:
    """Products as dicts with the public fields plus internal ``_type`` and ``_gender`` keys."""
    products: list[dict] = []
    seen_titles: set[str] = set()
    for ptype in TYPES:
        genders = list(ptype.sizes) if ptype.sizes else [""]
        made = 0
        attempts = 0
        while made < ptype.count:
            attempts += 1
            if attempts > 500:
                raise RuntimeError(f"cannot make unique titles for type {ptype.key}")
            brand = rng.choice(ptype.brands)
            model = rng.choice(ptype.models)
            if ptype.versions:
                model = f"{model} {rng.randint(2, 7)}"
            gender = genders[made % len(genders)]
            gender_word = gender if gender and gender != "Unisex" else ""
            parts = [brand, model, gender_word, ptype.noun]
            title = " ".join(p for p in parts if p)
            if title in seen_titles:
                continue
            seen_titles.add(title)
            material = rng.choice(ptype.materials)
            attributes: dict[str, str] = {}
            if ptype.colours:
                attributes["colour"] = rng.choice(ptype.colours)
            size = ""
            if ptype.sizes:
                size = rng.choice(ptype.sizes[gender])
                attributes["size"] = size
            attributes["material"] = material
            values = {k: rng.choice(v) for k, v in ptype.params.items()}
            values.update(material=material, model=model, brand=brand, size=size)
            values["a_material"] = _with_article(material)
            sentences = [rng.choice(ptype.leads).format(**values)]
            extras = list(ptype.extras) + list(CATEGORY_EXTRAS[ptype.category])
            rng.shuffle(extras)
            for extra in extras[: rng.randint(0, min(2, len(extras)))]:
                sentences.append(extra.format(**values))
            description = " ".join(sentences)
            description = description[0].upper() + description[1:]
            products.append(
                {
                    "title": title,
                    "description": description,
                    "category": ptype.category,
                    "brand": brand,
                    "price": _price(rng, *ptype.price),
                    "currency": "USD",
                    "stock": _stock(rng),
                    "attributes": attributes,
                    "_type": ptype.key,
                    "_gender": gender,
                    "_model": model,
                }
            )
            made += 1
    rng.shuffle(products)
    out = []
    for index, product in enumerate(products, start=1):
        out.append({"item_id": f"P{index:04d}", **product})
    return out


def public_product(product: dict) -> dict:
    """The catalogue.jsonl record: the product without the generator's internal keys."""
    return {k: v for k, v in product.items() if not k.startswith("_")}


def is_waterproof(product: dict) -> bool | None:
    ptype = TYPES_BY_KEY[product["_type"]]
    if "waterproof" in product["attributes"].get("material", ""):
        return True
    return ptype.waterproof


def size_fits(size_attr: str, wanted: str) -> bool:
    """Whether a wanted size ("42", "EU 42", "M") falls inside a size range ("EU 40-47", "S-XL")."""
    wanted = wanted.strip().upper().removeprefix("EU").strip()
    attr = size_attr.strip().upper()
    if attr.startswith("EU ") and "-" in attr:
        low, high = attr[3:].split("-", 1)
        try:
            return int(low) <= float(wanted) <= int(high)
        except ValueError:
            return False
    if "-" in attr and attr.split("-")[0] in APPAREL_ORDER:
        low, high = attr.split("-", 1)
        if wanted not in APPAREL_ORDER or high not in APPAREL_ORDER:
            return False
        pos = APPAREL_ORDER.index
        return pos(low) <= pos(wanted) <= pos(high)
    return attr == wanted


def _with_article(phrase: str) -> str:
    return ("an " if phrase[0].lower() in "aeiou" else "a ") + phrase

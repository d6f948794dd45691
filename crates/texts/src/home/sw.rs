//! The home, list and help pages in Kiswahili.

use domain::fees::{Measure, VehicleClass};

use super::HomeText as H;

/// Which vehicles a fee line prices, and within which range.
fn fee_case(classes: &[VehicleClass], measure: Measure) -> String {
    let who = match (classes.contains(&VehicleClass::MotorVehicle), classes.contains(&VehicleClass::Motorcycle)) {
        (true, true) => "Magari na pikipiki".to_string(),
        _ => classes
            .iter()
            .map(|c| match c {
                VehicleClass::MotorVehicle => "Magari",
                VehicleClass::Motorcycle => "Pikipiki",
                VehicleClass::Trailer => "Trela",
                VehicleClass::Tractor => "Trekta",
            })
            .collect::<Vec<_>>()
            .join(", "),
    };
    let range = |unit: &str, min: u32, max: Option<u32>| match max {
        Some(max) if max == min => format!("{unit} {min}"),
        Some(max) if min <= 1 => format!("hadi {unit} {max}"),
        Some(max) => format!("{unit} {min} hadi {max}"),
        None => format!("{unit} {min} au zaidi"),
    };
    match measure {
        Measure::EngineCc { min, max } => format!("{who}, {}", range("cc", min, max)),
        Measure::TrailerWheels { min, max } => {
            format!("{who}, {}", range("magurudumu", u32::from(min), max.map(u32::from)))
        }
        Measure::Flat => who,
    }
}

pub(super) fn render(m: &H<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        H::NeedsYourAction => s("Yanayokusubiri"),
        H::NothingNeedsAction => s("Hakuna kinachokusubiri kwa sasa."),
        H::ActSubmit { reg_no } => format!("Kamilisha na uwasilishe uuzaji wa {reg_no}"),
        H::ActResubmit { reg_no } => format!("Pakia skani mpya ya logbook ya {reg_no} na uirudishe"),
        H::ActApprove { reg_no } => format!("Ridhia au pinga uuzaji wa {reg_no}"),
        H::ActAnswer { reg_no } => format!("Kubali au kataa {reg_no} uliyouziwa"),
        H::ActPay { reg_no, amount } => format!("Lipa ada ya {amount} ya {reg_no}"),
        H::By { date } => format!("kufikia {date}"),
        H::MoreWaiting => s("Mengine yanayokusubiri"),
        H::ForReview => s("Ya kukagua"),
        H::OpenQueue => s("Fungua foleni ya ukaguzi"),
        H::YourVehicles => s("Magari yako"),
        H::Sell => s("Uza"),
        H::SellThis { reg_no } => format!("Uza {reg_no}"),
        H::AllYourVehicles => s("Magari yako yote"),
        H::OtherThings => s("Mambo mengine unayoweza kufanya"),
        H::ColAction => s("Hatua"),
        H::VehiclesOf { org } => format!("Magari ya {org}"),
        H::ShowVehiclesOf => s("Onyesha magari ya"),
        H::Show => s("Onyesha"),
        H::SearchLabel => s("Tafuta kwa nambari ya usajili au ya kumbukumbu"),
        H::SearchVehiclesLabel => s("Tafuta kwa nambari ya usajili"),
        H::Search => s("Tafuta"),
        H::ShowAll => s("Onyesha yote"),
        H::NoMatch { term } => format!("Hakuna kinacholingana na “{term}”."),
        H::SearchTooLong { max } => format!("Tafuta kwa herufi zisizozidi {max}"),
        H::Help => s("Msaada"),
        H::HelpTitle => s("Jinsi ya kuuza na kununua gari"),
        H::HelpLead => {
            s("Gari hubadilisha mmiliki mtandaoni kwa hatua chache. Kila mtu hupata SMS zamu yake inapofika.")
        }
        H::SellingTitle => s("Kuuza"),
        H::Sell1 => s("Ingia, fungua Magari yako na uchague Uza kando ya gari."),
        H::Sell2 => s("Andika nambari ya kitambulisho ya mnunuzi (au PIN ya KRA ya shirika lake)."),
        H::Sell3 => s("Pakia skani ya rangi iliyo wazi ya logbook."),
        H::Sell4 => s("Hakiki majibu yako na uthibitishe kwa msimbo tutakaotuma kwa simu yako."),
        H::Sell5 => s("Mmiliki mwenza yeyote, na mkopeshaji ikiwa gari lina mkopo, huridhia uuzaji kwa misimbo yao."),
        H::BuyingTitle => s("Kununua"),
        H::Buy1 => s("Utapata SMS gari linapouzwa kwako. Ingia na ulifungue."),
        H::Buy2 => s("Sema kama unalikubali, kisha uthibitishe kwa msimbo tutakaotuma kwa simu yako."),
        H::Buy3 => s("Lipa ada ya uhamisho kwa M-Pesa, kutoka nambari yako au nyingine."),
        H::Buy4 => s("Afisa hukagua uhamisho; ukiidhinishwa, gari ni lako."),
        H::WhoPaysTitle => s("Nani analipa nini, na lini"),
        H::WhoPays => s(
            "Mnunuzi hulipa ada ya uhamisho, baada ya kukubali na kabla ya ukaguzi wa afisa. Muuzaji halipi chochote. Ada inategemea gari, kama ilivyo kwenye jedwali hapa chini.",
        ),
        H::HowLongTitle => s("Inachukua muda gani"),
        H::HowLong { answer_days } => format!(
            "Kila mtu ana siku {answer_days} kufanya sehemu yake, la sivyo uhamisho unaisha. Afisa huukagua ndani ya siku mbili za kazi baada ya malipo. Logbook mpya huwa tayari siku saba za kazi baada ya kuidhinishwa."
        ),
        H::BringTitle => s("Unachohitaji kuleta kuchukua logbook"),
        H::Bring1 => {
            s("Kitambulisho chako halisi au pasipoti (kwa shirika, barua ya idhini na kitambulisho cha anayechukua).")
        }
        H::Bring2 => s("Nambari ya kumbukumbu ya uhamisho, kutoka kwenye SMS yako au tovuti hii."),
        H::Bring3 => s("Risiti ya malipo, iliyochapishwa au kwenye simu yako."),
        H::FeesTitle => s("Ada za uhamisho"),
        H::FeesLead { version, from } => format!("Viwango vya ada {version}, vinavyotumika tangu {from}."),
        H::ColCase => s("Gari"),
        H::ColFee => s("Ada"),
        H::FeeCase { classes, measure } => fee_case(classes, measure),
    }
}

//! The home, list and help pages in English.

use domain::fees::{Measure, VehicleClass};

use super::HomeText as H;

/// Which vehicles a fee line prices, and within which range.
fn fee_case(classes: &[VehicleClass], measure: Measure) -> String {
    let who = match (classes.contains(&VehicleClass::MotorVehicle), classes.contains(&VehicleClass::Motorcycle)) {
        (true, true) => "Motor vehicles and motorcycles".to_string(),
        _ => classes
            .iter()
            .map(|c| match c {
                VehicleClass::MotorVehicle => "Motor vehicles",
                VehicleClass::Motorcycle => "Motorcycles",
                VehicleClass::Trailer => "Trailers",
                VehicleClass::Tractor => "Tractors",
            })
            .collect::<Vec<_>>()
            .join(", "),
    };
    let range = |unit: &str, min: u32, max: Option<u32>| match max {
        Some(max) if max == min => format!("{min} {unit}"),
        Some(max) if min <= 1 => format!("up to {max} {unit}"),
        Some(max) => format!("{min} to {max} {unit}"),
        None => format!("{min} {unit} or more"),
    };
    match measure {
        Measure::EngineCc { min, max } => format!("{who}, {}", range("cc", min, max)),
        Measure::TrailerWheels { min, max } => {
            format!("{who}, {}", range("wheels", u32::from(min), max.map(u32::from)))
        }
        Measure::Flat => who,
    }
}

pub(super) fn render(m: &H<'_>) -> String {
    let s = |t: &str| t.to_string();
    match *m {
        H::NeedsYourAction => s("Needs your action"),
        H::NothingNeedsAction => s("Nothing is waiting for you just now."),
        H::ActSubmit { reg_no } => format!("Finish and submit the sale of {reg_no}"),
        H::ActResubmit { reg_no } => format!("Upload a new scan of the logbook of {reg_no} and send it back"),
        H::ActApprove { reg_no } => format!("Approve or refuse the sale of {reg_no}"),
        H::ActAnswer { reg_no } => format!("Accept or decline {reg_no}, offered to you"),
        H::ActPay { reg_no, amount } => format!("Pay the fee of {amount} for {reg_no}"),
        H::By { date } => format!("by {date}"),
        H::MoreWaiting => s("More waiting for you"),
        H::ForReview => s("For review"),
        H::OpenQueue => s("Open the review queue"),
        H::YourVehicles => s("Your vehicles"),
        H::Sell => s("Sell"),
        H::SellThis { reg_no } => format!("Sell {reg_no}"),
        H::AllYourVehicles => s("All your vehicles"),
        H::OtherThings => s("Other things you can do"),
        H::ColAction => s("Action"),
        H::VehiclesOf { org } => format!("Vehicles of {org}"),
        H::ShowVehiclesOf => s("Show the vehicles of"),
        H::Show => s("Show"),
        H::SearchLabel => s("Search by registration number or reference"),
        H::SearchVehiclesLabel => s("Search by registration number"),
        H::Search => s("Search"),
        H::ShowAll => s("Show all"),
        H::NoMatch { term } => format!("Nothing matches “{term}”."),
        H::SearchTooLong { max } => format!("Search for at most {max} characters"),
        H::Help => s("Help"),
        H::HelpTitle => s("How selling and buying a vehicle works"),
        H::HelpLead => {
            s("A vehicle changes owner online in a few steps. Each person gets an SMS when it is their turn.")
        }
        H::SellingTitle => s("Selling"),
        H::Sell1 => s("Sign in, open Your vehicles and choose Sell beside the vehicle."),
        H::Sell2 => s("Enter the buyer's ID number (or their organisation's KRA PIN)."),
        H::Sell3 => s("Upload a clear colour scan or photo of the logbook."),
        H::Sell4 => s("Check your answers and confirm with the code we send to your phone."),
        H::Sell5 => {
            s("Any joint owner, and the bank if there is a loan on the vehicle, approve it with their own code.")
        }
        H::BuyingTitle => s("Buying"),
        H::Buy1 => s("You get an SMS when a vehicle is offered to you. Sign in and open it."),
        H::Buy2 => s("Say whether you accept it, then confirm with the code we send to your phone."),
        H::Buy3 => s("Pay the transfer fee with M-Pesa, from your number or another one."),
        H::Buy4 => s("An officer checks the transfer; once it is approved, the vehicle is yours."),
        H::WhoPaysTitle => s("Who pays what, and when"),
        H::WhoPays => s(
            "The buyer pays the transfer fee, after accepting and before the officer's review. The seller pays nothing. The fee depends on the vehicle, as in the table below.",
        ),
        H::HowLongTitle => s("How long it takes"),
        H::HowLong { answer_days } => format!(
            "Each person has {answer_days} days to do their part, or the transfer lapses. An officer reviews it within two working days of payment. The new logbook is ready seven working days after approval."
        ),
        H::BringTitle => s("What to bring to collect the logbook"),
        H::Bring1 => s(
            "Your original ID card or passport (for an organisation, a letter of authority and the ID of the person collecting).",
        ),
        H::Bring2 => s("The transfer reference, from your SMS or this website."),
        H::Bring3 => s("The receipt of the payment, printed or on your phone."),
        H::FeesTitle => s("Transfer fees"),
        H::FeesLead { version, from } => format!("The fee schedule {version}, in force from {from}."),
        H::ColCase => s("Vehicle"),
        H::ColFee => s("Fee"),
        H::FeeCase { classes, measure } => fee_case(classes, measure),
    }
}

//! The registry's home page (what waits for the reader, their vehicles
//! with a way to sell each), the search box of its long lists, the
//! organisations' vehicles, and the help page (how selling and buying
//! work, who pays what, and the fee table).
//!
//! Owns each text's parameters; `en.rs` and `sw.rs` own the words. It must
//! not know a page's markup or route: handlers and templates place these
//! texts. Dates and amounts come formatted by the caller.

mod en;
mod sw;

use domain::fees::{Measure, VehicleClass};

use crate::catalogue;

catalogue! {
    /// A text of the home, list and help pages, with what it says.
    pub enum HomeText<'a> in (en::render, sw::render) {
        // What waits for the reader.
        NeedsYourAction,
        NothingNeedsAction,
        ActSubmit { reg_no: &'a str },
        ActApprove { reg_no: &'a str },
        ActAnswer { reg_no: &'a str },
        ActPay { reg_no: &'a str, amount: &'a str },
        By { date: &'a str },
        MoreWaiting,
        ForReview,
        OpenQueue,
        // Vehicles.
        YourVehicles,
        Sell,
        SellThis { reg_no: &'a str },
        AllYourVehicles,
        OtherThings,
        ColAction,
        VehiclesOf { org: &'a str },
        ShowVehiclesOf,
        Show,
        // Searching a list.
        SearchLabel,
        SearchVehiclesLabel,
        Search,
        ShowAll,
        NoMatch { term: &'a str },
        SearchTooLong { max: usize },
        // Help.
        Help,
        HelpTitle,
        HelpLead,
        SellingTitle,
        Sell1,
        Sell2,
        Sell3,
        Sell4,
        Sell5,
        BuyingTitle,
        Buy1,
        Buy2,
        Buy3,
        Buy4,
        WhoPaysTitle,
        WhoPays,
        HowLongTitle,
        HowLong { answer_days: u32 },
        BringTitle,
        Bring1,
        Bring2,
        Bring3,
        FeesTitle,
        FeesLead { version: &'a str, from: &'a str },
        ColCase,
        ColFee,
        FeeCase { classes: &'a [VehicleClass], measure: Measure },
        /// The seller: upload a new scan and send the transfer back.
        ActResubmit { reg_no: &'a str },
    }
}

//! The words of the language switch every page carries in its header (the
//! switch's links are named by [`Lang::name`](crate::Lang::name), each in
//! its own language).
//!
//! Owns only those words. It must not know the switch's route or markup.

use crate::catalogue;

catalogue! {
    /// A text of the language switch.
    pub enum SwitchText in (en, sw) {
        /// The switch's name for screen readers, beside the header's other
        /// navigation.
        Label,
        /// What a link to a language does, for its `title` tooltip.
        ShowIn,
    }
}

fn en(m: &SwitchText) -> String {
    match m {
        SwitchText::Label => "Language",
        SwitchText::ShowIn => "Show this page in English",
    }
    .to_string()
}

fn sw(m: &SwitchText) -> String {
    match m {
        SwitchText::Label => "Lugha",
        SwitchText::ShowIn => "Onyesha ukurasa huu kwa Kiswahili",
    }
    .to_string()
}

//! The new logbook an approval orders, and its way to the buyer: printing,
//! ready for collection, collected, one step at a time.

string_enum!(
    /// Where the new logbook is after approval. It only moves forward, one
    /// step at a time.
    LogbookState, "one of" {
        Printing = "printing": "Printing",
        ReadyForCollection = "ready_for_collection": "Ready for collection",
        Collected = "collected": "Collected",
    }
);

/// A logbook step out of order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "A logbook that is {} cannot become {}: it goes from printing to ready for collection to collected",
    .from.label().to_lowercase(),
    .to.label().to_lowercase()
)]
pub struct LogbookRefusal {
    pub from: LogbookState,
    pub to: LogbookState,
}

impl LogbookState {
    /// The only state this one may move to.
    pub fn next(self) -> Option<Self> {
        match self {
            Self::Printing => Some(Self::ReadyForCollection),
            Self::ReadyForCollection => Some(Self::Collected),
            Self::Collected => None,
        }
    }

    /// Move to `to`, which must be the next state.
    pub fn advance(self, to: Self) -> Result<Self, LogbookRefusal> {
        if self.next() == Some(to) { Ok(to) } else { Err(LogbookRefusal { from: self, to }) }
    }

    /// What happens next, for the buyer's timeline.
    pub fn next_step(self) -> &'static str {
        match self {
            Self::Printing => "The new logbook is being printed",
            Self::ReadyForCollection => "The new logbook is ready: collect it at the office you chose",
            Self::Collected => "The new logbook has been collected",
        }
    }
}

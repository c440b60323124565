//! A short message shown at the top of a page (a "flash"), in the shop and the back
//! office alike: its text and its tone.

/// How a flash is styled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Info,
    Warning,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Info => "flash info",
            Tone::Warning => "flash warning",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub tone: Tone,
    pub text: String,
}

impl Flash {
    pub fn new(tone: Tone, text: impl Into<String>) -> Flash {
        Flash {
            tone,
            text: text.into(),
        }
    }
}

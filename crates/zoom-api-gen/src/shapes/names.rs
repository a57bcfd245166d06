//! The shape every enum of the spec's names shares (labels, plans, tags, operations, events):
//! the variants with their names, and reading a name back.

/// Defines an enum whose variants stand for the spec's names, with `ALL`, `as_str` and
/// `Display` (the name as the spec writes it).
macro_rules! named_enum {
    (
        $(#[$attr:meta])*
        $name:ident { $(#[doc = $doc:literal] $variant:ident = $text:literal,)* }
    ) => {
        $(#[$attr])*
        pub enum $name { $(#[doc = $doc] $variant,)* }

        impl $name {
            /// Every variant, in the generated table's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The name, as the spec writes it.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Gives a [`named_enum!`] a `parse` that ignores case, for names a person types or a header
/// carries in any case.
macro_rules! names_ignoring_case {
    ($name:ident) => {
        impl $name {
            /// Reads a name, ignoring case.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(text))
            }
        }
    };
}

/// Gives a [`named_enum!`] a `FromStr` that reads a name exactly, and defines the error naming
/// a name that is none of them: `$what` says what the names are ("an event of the spec").
macro_rules! exact_names {
    ($name:ident, $unknown:ident, $what:literal) => {
        impl ::std::str::FromStr for $name {
            type Err = $unknown;

            /// Reads a name, exactly as the spec writes it.
            fn from_str(text: &str) -> Result<Self, $unknown> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text).ok_or_else(|| $unknown(text.to_owned()))
            }
        }

        #[doc = concat!("A name that is not ", $what, ".")]
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $unknown(pub String);

        impl ::std::fmt::Display for $unknown {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{:?} is not {}", self.0, $what)
            }
        }

        impl ::std::error::Error for $unknown {}
    };
}

pub(crate) use exact_names;
pub(crate) use named_enum;
pub(crate) use names_ignoring_case;

//! The shape of an integer enum of the spec (a component with an integer `enum` and
//! `x-enum-varnames`): the xtask puts one [`integer_enum!`] per such component into the
//! generated `types`, where progenitor's code refers to it.

/// Defines an enum whose values travel as JSON integers: a variant per named value, and
/// `Other` for a value the spec does not name, so that an answer with a value Zoom adds later
/// still reads. Which values a field accepts is the field's own `enum` in the spec, which the
/// fake's validation enforces.
macro_rules! integer_enum {
    (
        $(#[doc = $doc:literal])*
        $name:ident { $(#[doc = $variant_doc:literal] $variant:ident = $value:literal,)* }
    ) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $(#[doc = $variant_doc] $variant,)*
            /// A value the spec does not name.
            Other(i64),
        }

        impl $name {
            /// Every value the spec names, in its order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The value as Zoom writes it.
            pub const fn value(self) -> i64 {
                match self { $($name::$variant => $value,)* $name::Other(value) => value }
            }

            /// The variant of a value (`Other` for one the spec does not name).
            pub const fn from_value(value: i64) -> Self {
                match value { $($value => $name::$variant,)* other => $name::Other(other) }
            }
        }

        impl ::std::convert::From<$name> for i64 {
            fn from(value: $name) -> i64 {
                value.value()
            }
        }

        impl ::std::convert::From<i64> for $name {
            fn from(value: i64) -> Self {
                Self::from_value(value)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}", self.value())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <i64 as ::serde::Deserialize>::deserialize(deserializer).map(Self::from_value)
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_owned()
            }

            fn json_schema(_: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                ::schemars::schema::SchemaObject {
                    instance_type: Some(::schemars::schema::InstanceType::Integer.into()),
                    enum_values: Some(vec![$(::serde_json::json!($value),)*]),
                    ..Default::default()
                }
                .into()
            }
        }
    };
}

pub(crate) use integer_enum;

//! Small declarative impls the crate's types share: [`setters!`], the builders' setters that
//! only store a value, [`awaitable!`], the `IntoFuture` of a builder that awaiting sends, and
//! [`debug_fields!`], a `Debug` that shows some fields only.

/// Writes builder setters that store one value and hand the builder back. Each
/// `fn name(arg: Type) = value;` becomes `fn name(mut self, arg: Type) -> Self`, which sets
/// the field `self.name` to `value`; `= value` may be left out when the value is `arg` as it
/// is. A flag takes no argument: `fn name() = true;`. Attributes (the doc comment, a `cfg`) go
/// on the method.
///
/// The fields may be those of a place in the builder, named first: `self.item;` (a field, or
/// `self.0`) or `self.style();` (an accessor giving `&mut`). An entry `fn name(..) => field = ..;`
/// sets `field` rather than `name`. So
/// `setters! { self.item; pub fn markdown() => is_markdown_support = Some(true); }` writes
/// `pub fn markdown(mut self) -> Self { self.item.is_markdown_support = Some(true); self }`.
macro_rules! setters {
    (@value $arg:ident) => {
        $arg
    };
    (@value $($arg:ident)? = $value:expr) => {
        $value
    };
    (@field $this:ident [$($place:tt)*] $name:ident) => {
        $this.$($place)*$name
    };
    (@field $this:ident [$($place:tt)*] $name:ident => $field:ident) => {
        $this.$($place)*$field
    };
    (@in $place:tt
        $($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty)?) $(=> $field:ident)? $(= $value:expr)?;)*
    ) => {
        $(
            $(#[$attr])*
            $vis fn $name(mut self $(, $arg: $ty)?) -> Self {
                $crate::macros::setters!(@field self $place $name $(=> $field)?) =
                    $crate::macros::setters!(@value $($arg)? $(= $value)?);
                self
            }
        )*
    };
    (self.$accessor:ident(); $($entries:tt)*) => {
        $crate::macros::setters!(@in [$accessor().] $($entries)*);
    };
    (self.$place:tt; $($entries:tt)*) => {
        $crate::macros::setters!(@in [$place.] $($entries)*);
    };
    ($($entries:tt)*) => {
        $crate::macros::setters!(@in [] $($entries)*);
    };
}

pub(crate) use setters;

/// `impl IntoFuture` for a builder with an `async fn run(self) -> Output`: awaiting it runs
/// it, boxed (its future is `Send`, so that it can be spawned). So
/// `awaitable!(SendMessage => Result<SentMessage>);` makes `send.await` call `send.run()`.
macro_rules! awaitable {
    ($builder:ty => $output:ty) => {
        impl ::std::future::IntoFuture for $builder {
            type Output = $output;
            type IntoFuture = ::std::pin::Pin<Box<dyn ::std::future::Future<Output = $output> + Send>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.run())
            }
        }
    };
}

pub(crate) use awaitable;

/// Implements `Debug` for a type that must not show all its fields (a secret, a URL that may
/// hold a password, a value with no `Debug`): `debug_fields!(Type { a, b: inner.c })` shows
/// `Type { a: .., b: .., .. }`, `b` being the field `inner.c`. (Its users are the install
/// route's and Redis's types, so it is built with their features.)
#[cfg(any(feature = "axum", feature = "redis", test))]
macro_rules! debug_fields {
    (@field $this:ident $label:ident) => {
        $this.$label
    };
    (@field $this:ident $label:ident: $($path:ident).+) => {
        $this.$($path).+
    };
    ($ty:ident { $($label:ident $(: $($path:ident).+)?),* $(,)? }) => {
        impl ::std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    $(.field(
                        stringify!($label),
                        &$crate::macros::debug_fields!(@field self $label $(: $($path).+)?),
                    ))*
                    .finish_non_exhaustive()
            }
        }
    };
}

#[cfg(any(feature = "axum", feature = "redis", test))]
pub(crate) use debug_fields;

#[cfg(test)]
mod tests {
    #[derive(Debug, Default, PartialEq)]
    struct Builder {
        name: String,
        count: usize,
        label: Option<String>,
        flag: bool,
    }

    impl Builder {
        setters! {
            fn name(name: impl Into<String>) = name.into();
            fn count(count: usize) = count.max(1);
            fn label(label: &str) = Some(label.to_owned());
            fn flag() = true;
        }
    }

    #[test]
    fn each_setter_stores_its_value() {
        let built = Builder::default().name("a").count(0).label("b").flag();
        assert_eq!(built, Builder { name: "a".into(), count: 1, label: Some("b".into()), flag: true });
    }

    struct Secretive {
        name: &'static str,
        inner: Inner,
    }

    struct Inner {
        size: usize,
        _password: &'static str,
    }

    debug_fields!(Secretive { name, size: inner.size });

    #[test]
    fn debug_shows_the_named_fields_only() {
        let value = Secretive { name: "a", inner: Inner { size: 2, _password: "hunter2" } };
        assert_eq!(format!("{value:?}"), r#"Secretive { name: "a", size: 2, .. }"#);
    }

    #[test]
    fn a_setter_without_a_value_stores_its_argument() {
        struct Plain {
            count: usize,
        }
        impl Plain {
            setters! {
                fn count(count: usize);
            }
        }
        assert_eq!(Plain { count: 0 }.count(3).count, 3);
    }

    #[test]
    fn a_setter_may_store_in_a_place_and_another_field() {
        #[derive(Default)]
        struct Inner {
            size: Option<i64>,
            bold: Option<bool>,
        }
        #[derive(Default)]
        struct Wrapper(Inner);
        impl Wrapper {
            fn inner(&mut self) -> &mut Inner {
                &mut self.0
            }
            setters! { self.0;
                fn size(bytes: u32) = Some(bytes.into());
            }
            setters! { self.inner();
                fn strong() => bold = Some(true);
            }
        }
        let built = Wrapper::default().size(3).strong();
        assert_eq!((built.0.size, built.0.bold), (Some(3), Some(true)));
    }
}

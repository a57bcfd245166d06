//! Form inputs: dates, times, choices and text; `action_id` names each in the event the bot
//! receives.

use zoom_api_gen::types;

use super::text::preset;
use crate::macros::setters;

plain_elements!(DatePicker, TimePicker, RadioButtons, Checkboxes, TextInput);

/// Defines `$name`, the builder of a form input over the generated `$item`, with a `new` (its
/// doc `$new_doc`) that names the input by `action_id` and gives every other field its empty
/// value. So `form_input!(Input(CardInput { type_: K, options: Vec::new() }), "An input.")`
/// writes `pub struct Input(types::CardInput);` and `Input::new(action_id)`, which builds
/// `CardInput { type_: K, action_id: Some(action_id.into()), options: Vec::new() }`.
macro_rules! form_input {
    (
        $(#[$doc:meta])*
        $name:ident($item:ident { type_: $kind:path, $($field:ident: $empty:expr),+ $(,)? }),
        $new_doc:expr $(,)?
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name(types::$item);

        impl $name {
            #[doc = $new_doc]
            pub fn new(action_id: impl Into<String>) -> Self {
                Self(types::$item { type_: $kind, action_id: Some(action_id.into()), $($field: $empty),+ })
            }
        }
    };
}

/// Defines a picker of a form, `$name` over the generated `$item`: a form input with a
/// placeholder and a preset `$what` (in `$initial`, written as `$format`). Dates and times are
/// one input but for these. So
/// `picker!(DatePicker(CardDatepicker { type_: K, initial_date }), date, "yyyy-MM-dd")` writes
/// the form input `DatePicker` with `initial(date)`, which sets `initial_date`, and
/// `placeholder(text)`.
macro_rules! picker {
    ($(#[$doc:meta])* $name:ident($item:ident { type_: $kind:path, $initial:ident }), $what:ident, $format:literal) => {
        form_input!(
            $(#[$doc])*
            $name($item { type_: $kind, $initial: None, placeholder: None }),
            concat!("A ", stringify!($what), " input named `action_id`."),
        );

        impl $name {
            setters! { self.0;
                #[doc = concat!("The preset ", stringify!($what), ", as Zoom shows it (`", $format, "`).")]
                pub fn initial($what: impl Into<String>) => $initial = Some($what.into());
                /// Shown while empty.
                pub fn placeholder(text: impl Into<String>) = Some(text.into());
            }
        }
    };
}

picker!(
    /// A date input of a form.
    DatePicker(CardDatepicker { type_: types::CardDatepickerType::Datepicker, initial_date }),
    date,
    "yyyy-MM-dd"
);

picker!(
    /// A time input of a form.
    TimePicker(CardTimepicker { type_: types::CardTimepickerType::Timepicker, initial_time }),
    time,
    "HH:mm"
);

form_input!(
    /// One choice among options, in a form.
    RadioButtons(CardRadioButtons {
        type_: types::CardRadioButtonsType::RadioButtons,
        options: Vec::new(),
        initial_option: None,
    }),
    "A choice named `action_id`.",
);

impl RadioButtons {
    option_method!(options);

    /// The option chosen at first, by value (among those added so far).
    pub fn initial(mut self, value: impl Into<String>) -> Self {
        self.0.initial_option = Some(preset(&self.0.options, value.into()));
        self
    }
}

form_input!(
    /// Any number of choices, in a form.
    Checkboxes(CardCheckboxes {
        type_: types::CardCheckboxesType::Checkboxes,
        options: Vec::new(),
        initial_options: Vec::new(),
    }),
    "Checkboxes named `action_id`.",
);

impl Checkboxes {
    option_method!(options);

    /// An option checked at first, by value (among those added so far).
    pub fn checked(mut self, value: impl Into<String>) -> Self {
        let checked = preset(&self.0.options, value.into());
        self.0.initial_options.push(checked);
        self
    }
}

form_input!(
    /// A text input of a form.
    TextInput(CardPlainTextInput {
        type_: types::CardPlainTextInputType::PlainTextInput,
        placeholder: None,
        initial_value: None,
        multiline: None,
    }),
    "A text input named `action_id`.",
);

impl TextInput {
    setters! { self.0;
        /// Shown while empty.
        pub fn placeholder(text: impl Into<String>) = Some(text.into());
        /// The preset text.
        pub fn initial(text: impl Into<String>) => initial_value = Some(text.into());
        /// Several lines.
        pub fn multiline() = Some(true);
    }
}

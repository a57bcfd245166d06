//! Form inputs: dates, times, choices and text; `action_id` names each in the event the bot
//! receives.

use zoom_api_gen::types;

use super::text::preset;

plain_elements!(DatePicker, TimePicker, RadioButtons, Checkboxes, TextInput);

fn option(text: impl Into<String>, value: impl Into<String>) -> types::CardOption {
    types::CardOption { text: text.into(), value: value.into() }
}

/// A date input of a form.
#[derive(Clone, Debug, PartialEq)]
pub struct DatePicker(types::CardDatepicker);

impl DatePicker {
    /// A date input named `action_id`.
    pub fn new(action_id: impl Into<String>) -> Self {
        Self(types::CardDatepicker {
            type_: types::CardDatepickerType::Datepicker,
            action_id: Some(action_id.into()),
            initial_date: None,
            placeholder: None,
        })
    }

    /// The preset date, as Zoom shows it (`yyyy-MM-dd`).
    pub fn initial(mut self, date: impl Into<String>) -> Self {
        self.0.initial_date = Some(date.into());
        self
    }

    /// Shown while empty.
    pub fn placeholder(mut self, text: impl Into<String>) -> Self {
        self.0.placeholder = Some(text.into());
        self
    }
}

/// A time input of a form.
#[derive(Clone, Debug, PartialEq)]
pub struct TimePicker(types::CardTimepicker);

impl TimePicker {
    /// A time input named `action_id`.
    pub fn new(action_id: impl Into<String>) -> Self {
        Self(types::CardTimepicker {
            type_: types::CardTimepickerType::Timepicker,
            action_id: Some(action_id.into()),
            initial_time: None,
            placeholder: None,
        })
    }

    /// The preset time, as Zoom shows it (`HH:mm`).
    pub fn initial(mut self, time: impl Into<String>) -> Self {
        self.0.initial_time = Some(time.into());
        self
    }

    /// Shown while empty.
    pub fn placeholder(mut self, text: impl Into<String>) -> Self {
        self.0.placeholder = Some(text.into());
        self
    }
}

/// One choice among options, in a form.
#[derive(Clone, Debug, PartialEq)]
pub struct RadioButtons(types::CardRadioButtons);

impl RadioButtons {
    /// A choice named `action_id`.
    pub fn new(action_id: impl Into<String>) -> Self {
        Self(types::CardRadioButtons {
            type_: types::CardRadioButtonsType::RadioButtons,
            action_id: Some(action_id.into()),
            options: Vec::new(),
            initial_option: None,
        })
    }

    /// An option: its text and value.
    pub fn option(mut self, text: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.options.push(option(text, value));
        self
    }

    /// The option chosen at first, by value (among those added so far).
    pub fn initial(mut self, value: impl Into<String>) -> Self {
        self.0.initial_option = Some(preset(&self.0.options, value.into()));
        self
    }
}

/// Any number of choices, in a form.
#[derive(Clone, Debug, PartialEq)]
pub struct Checkboxes(types::CardCheckboxes);

impl Checkboxes {
    /// Checkboxes named `action_id`.
    pub fn new(action_id: impl Into<String>) -> Self {
        Self(types::CardCheckboxes {
            type_: types::CardCheckboxesType::Checkboxes,
            action_id: Some(action_id.into()),
            options: Vec::new(),
            initial_options: Vec::new(),
        })
    }

    /// An option: its text and value.
    pub fn option(mut self, text: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.options.push(option(text, value));
        self
    }

    /// An option checked at first, by value (among those added so far).
    pub fn checked(mut self, value: impl Into<String>) -> Self {
        let checked = preset(&self.0.options, value.into());
        self.0.initial_options.push(checked);
        self
    }
}

/// A text input of a form.
#[derive(Clone, Debug, PartialEq)]
pub struct TextInput(types::CardPlainTextInput);

impl TextInput {
    /// A text input named `action_id`.
    pub fn new(action_id: impl Into<String>) -> Self {
        Self(types::CardPlainTextInput {
            type_: types::CardPlainTextInputType::PlainTextInput,
            action_id: Some(action_id.into()),
            placeholder: None,
            initial_value: None,
            multiline: None,
        })
    }

    /// Shown while empty.
    pub fn placeholder(mut self, text: impl Into<String>) -> Self {
        self.0.placeholder = Some(text.into());
        self
    }

    /// The preset text.
    pub fn initial(mut self, text: impl Into<String>) -> Self {
        self.0.initial_value = Some(text.into());
        self
    }

    /// Several lines.
    pub fn multiline(mut self) -> Self {
        self.0.multiline = Some(true);
        self
    }
}

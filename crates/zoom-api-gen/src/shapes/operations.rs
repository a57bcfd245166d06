//! The shape of `operations.rs`: the rate labels, plans, tags and operations, and everything
//! about them that does not depend on the spec. The generated file invokes
//! [`operation_table!`] with the spec's rows.

/// Defines `RateLabel`, `Plan`, `PlanRate`, `PLAN_RATES`, `ChannelWindow`,
/// `CHANNEL_SEND_WINDOWS`, `Tag`, `OperationId`, `UnknownOperation`, `OperationInfo` and
/// `OPERATIONS` in the invoking module, from the spec's rows. (The generated file writes
/// `operation_doc!` itself: a macro that a macro defines cannot be exported by path.)
macro_rules! operation_table {
    (
        labels: [$($label:ident = $label_name:literal,)*],
        plans: [$($plan:ident = $plan_name:literal,)*],
        plan_rates: [$(($rate_plan:ident, $rate_label:ident, $per_second:literal, $per_day:expr),)*],
        channel_send_windows: [$(($messages:literal, $seconds:literal, $blocked:literal),)*],
        tags: [$(#[doc = $tag_doc:literal] $tag:ident = $tag_name:literal,)*],
        operations: [$(
            #[doc = $summary:literal]
            $op:ident {
                id: $id:literal, method_name: $method_name:literal, zoom_id: $zoom_id:expr,
                method: $method:literal, path: $path:literal, base_path: $base_path:literal, server: $server:literal,
                label: $op_label:expr, tag: $op_tag:ident, doc: $doc:literal,
            },
        )*],
    ) => {
        /// A rate-limit label, as the spec's `x-rate-limit-label` names it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RateLabel { $(#[doc = $label_name] $label,)* }

        impl RateLabel {
            /// Every label.
            pub const ALL: &'static [RateLabel] = &[$(RateLabel::$label,)*];

            /// The label as Zoom writes it (`X-RateLimit-Category`).
            pub fn as_str(self) -> &'static str {
                match self { $(RateLabel::$label => $label_name,)* }
            }

            /// Reads a label, ignoring case.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|l| l.as_str().eq_ignore_ascii_case(text))
            }
        }

        impl ::std::fmt::Display for RateLabel {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// An account plan, which sets the limit of each label.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Plan { $(#[doc = $plan_name] $plan,)* }

        impl Plan {
            /// Every plan.
            pub const ALL: &'static [Plan] = &[$(Plan::$plan,)*];

            /// The plan's name, lower case.
            pub fn as_str(self) -> &'static str {
                match self { $(Plan::$plan => $plan_name,)* }
            }

            /// Reads a plan name, ignoring case.
            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|p| p.as_str().eq_ignore_ascii_case(text))
            }

            /// Requests per second the plan allows for `label`.
            pub fn per_second(self, label: RateLabel) -> u32 {
                self.rate(label).map_or(u32::MAX, |r| r.per_second)
            }

            /// Requests per UTC day the plan allows for `label`, where it has a daily quota.
            pub fn per_day(self, label: RateLabel) -> Option<u32> {
                self.rate(label).and_then(|r| r.per_day)
            }

            fn rate(self, label: RateLabel) -> Option<&'static PlanRate> {
                PLAN_RATES.iter().find(|r| r.plan == self && r.label == label)
            }
        }

        /// One plan's limit for one label.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct PlanRate {
            /// The plan.
            pub plan: Plan,
            /// The label.
            pub label: RateLabel,
            /// Requests per second.
            pub per_second: u32,
            /// Requests per UTC day, if limited.
            pub per_day: Option<u32>,
        }

        /// Every plan's limits.
        pub const PLAN_RATES: &[PlanRate] = &[$(
            PlanRate {
                plan: Plan::$rate_plan,
                label: RateLabel::$rate_label,
                per_second: $per_second,
                per_day: $per_day,
            },
        )*];

        /// A window of the per-sender, per-channel limit on user-level sends.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct ChannelWindow {
            /// At most this many messages ...
            pub messages: u32,
            /// ... within this many seconds ...
            pub seconds: u64,
            /// ... or the sender is blocked in the channel for this long.
            pub blocked_seconds: u64,
        }

        /// The windows, shortest first.
        pub const CHANNEL_SEND_WINDOWS: &[ChannelWindow] = &[$(
            ChannelWindow { messages: $messages, seconds: $seconds, blocked_seconds: $blocked },
        )*];

        /// An operation's tag (its first), which says what authorises it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Tag { $(#[doc = $tag_doc] $tag,)* }

        impl Tag {
            /// Every tag, in the spec's order.
            pub const ALL: &'static [Tag] = &[$(Tag::$tag,)*];

            /// The tag as the spec names it.
            pub const fn as_str(self) -> &'static str {
                match self { $(Tag::$tag => $tag_name,)* }
            }
        }

        impl ::std::fmt::Display for Tag {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// An operation of the spec: what the client's request hooks are handed and what the
        /// fake Zoom keys its handlers and its request log by.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum OperationId { $(#[doc = $summary] $op,)* }

        impl OperationId {
            /// Every operation, in the spec's order.
            pub const ALL: &'static [OperationId] = &[$(OperationId::$op,)*];

            /// The spec's `operationId` (`sendChatbotMessage`).
            pub const fn as_str(self) -> &'static str {
                match self { $(OperationId::$op => $id,)* }
            }

            /// The generated client method's name (`send_chatbot_message`), which is also the
            /// name progenitor hands to request hooks.
            pub const fn method_name(self) -> &'static str {
                match self { $(OperationId::$op => $method_name,)* }
            }

            /// Zoom's own id for the operation (`x-zoom-operation-id`), where Zoom documents
            /// one.
            pub const fn zoom_operation_id(self) -> Option<&'static str> {
                match self { $(OperationId::$op => $zoom_id,)* }
            }

            /// The operation's row of [`OPERATIONS`].
            pub const fn info(self) -> &'static OperationInfo {
                &OPERATIONS[self as usize]
            }

            /// The operation whose client method is called `name`.
            pub fn from_method_name(name: &str) -> Option<Self> {
                match name { $($method_name => Some(OperationId::$op),)* _ => None }
            }
        }

        impl ::std::str::FromStr for OperationId {
            type Err = UnknownOperation;

            /// Reads the spec's `operationId`, exactly.
            fn from_str(id: &str) -> Result<Self, UnknownOperation> {
                match id { $($id => Ok(OperationId::$op),)* _ => Err(UnknownOperation(id.to_owned())) }
            }
        }

        impl ::std::fmt::Display for OperationId {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// A name that is not an operation id of the spec.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct UnknownOperation(pub String);

        impl ::std::fmt::Display for UnknownOperation {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{:?} is not an operation id of the spec", self.0)
            }
        }

        impl ::std::error::Error for UnknownOperation {}

        /// One operation of the spec.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct OperationInfo {
            /// The operation.
            pub id: OperationId,
            /// HTTP method.
            pub method: &'static str,
            /// Path template, relative to the operation's server.
            pub path: &'static str,
            /// The path of the operation's server (`/v2` for the REST API, empty for the
            /// OAuth and incoming-webhook hosts).
            pub base_path: &'static str,
            /// The operation's server as the spec names it (`https://api.zoom.us/v2`, or
            /// `https://file.zoom.us/v2` for file uploads): which configured base URL it uses.
            pub server: &'static str,
            /// Zoom's rate-limit label, where Zoom documents one.
            pub rate_limit_label: Option<RateLabel>,
            /// The operation's first tag.
            pub tag: Tag,
            /// The operation restated in one line: method, path, id, token and rate label.
            pub doc: &'static str,
        }

        /// All operations, in the spec's order (the order of [`OperationId`]).
        pub const OPERATIONS: &[OperationInfo] = &[$(
            OperationInfo {
                id: OperationId::$op,
                method: $method,
                path: $path,
                base_path: $base_path,
                server: $server,
                rate_limit_label: $op_label,
                tag: Tag::$op_tag,
                doc: $doc,
            },
        )*];
    };
}

pub(crate) use operation_table;

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
        $crate::shapes::named_enum! {
            /// A rate-limit label, as the spec's `x-rate-limit-label` names it (and Zoom's
            /// `X-RateLimit-Category` header).
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            RateLabel { $(#[doc = $label_name] $label = $label_name,)* }
        }
        $crate::shapes::names_ignoring_case!(RateLabel);

        $crate::shapes::named_enum! {
            /// An account plan, which sets the limit of each label (its name lower case).
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            Plan { $(#[doc = $plan_name] $plan = $plan_name,)* }
        }
        $crate::shapes::names_ignoring_case!(Plan);

        impl Plan {
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

        $crate::shapes::named_enum! {
            /// An operation's tag (its first), which says what authorises it.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            Tag { $(#[doc = $tag_doc] $tag = $tag_name,)* }
        }

        $crate::shapes::named_enum! {
            /// An operation of the spec, named by its `operationId` (`sendChatbotMessage`): what
            /// the client's request hooks are handed and what the fake Zoom keys its handlers and
            /// its request log by.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            OperationId { $(#[doc = $summary] $op = $id,)* }
        }
        $crate::shapes::exact_names!(OperationId, UnknownOperation, "an operation id of the spec");

        impl OperationId {
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

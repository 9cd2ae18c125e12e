//! `event.retracted`: removing an event's effect everywhere, as if it had never been appended.

use uuid::Uuid;

event_data! {
    /// `event.retracted`: the event `event_id` is withdrawn.
    ///
    /// It must name an existing event that is not already retracted, not itself a retraction and
    /// not a registration (registrations cannot be retracted; register again instead) nor a
    /// `rule.*` event (delete the rule instead).
    pub struct EventRetracted {
        /// Id of the event retracted.
        pub event_id: Uuid,
        /// Why, as free text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(length(min = 1, max = crate::limits::MAX_STRING_BYTES))]
        pub reason: Option<String>,
    }
}

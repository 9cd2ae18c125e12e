//! Events of trade and products: they build the supplier/customer relation and the timelines,
//! and do not move the cooperation status.

use serde::{Deserialize, Serialize};

use crate::limits::{MAX_STRING_BYTES, MAX_TOPICS};
use crate::{BusinessTime, Slug};

/// How much is to be procured: a number, or free text (`"10k units"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Quantity {
    /// A count or amount (not negative).
    Number(serde_json::Number),
    /// Free text.
    Text(#[schemars(length(min = 1, max = MAX_STRING_BYTES))] String),
}

event_data! {
    /// `procurement.planned`: a buyer plans to procure an item from a supplier.
    pub struct ProcurementPlanned {
        /// Who buys.
        pub buyer: Slug,
        /// Who supplies (different from `buyer`).
        pub supplier: Slug,
        /// What, as free text.
        #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
        pub item: String,
        /// How much.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub quantity: Option<Quantity>,
        /// By when.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub by: Option<BusinessTime>,
    }
}

event_data! {
    /// `product.launched`: an organization launched a product.
    pub struct ProductLaunched {
        /// Who launched it.
        pub organization: Slug,
        /// The product's name.
        #[schemars(length(min = 1, max = MAX_STRING_BYTES))]
        pub product: String,
        /// Topics the product belongs to.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[schemars(length(max = MAX_TOPICS), extend("uniqueItems" = true))]
        pub topics: Vec<Slug>,
    }
}

// The statuses of a relationship, in the order of the climb (CONTRACT.md, "Relationship status").
export const STATUSES = ['contact', 'exploring', 'negotiating', 'agreed', 'active', 'ended'];

/** The filter value for relationships with signals only (status `none`). */
export const SIGNALS = 'signals';

/** How certain a fact is (CONTRACT.md, "Factuality"). */
export const FACTUALITIES = ['asserted', 'planned', 'possible', 'reported', 'negated'];

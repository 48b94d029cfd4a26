//! Issue 13's output cases, driven through the binary.

mod util;

//! The pages that load on demand: each is a wasm chunk of its own (`cargo xtask build` splits
//! them out), fetched the first time its route is opened. The home page and the shell stay in
//! the main module, so the first load carries no composer, probe or queue code.

use crate::accounts::AccountsPage;
use crate::compose::ComposePage;
use crate::connect::OAuthCallback;
use crate::queue::QueuePage;
use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

pub struct Compose;

#[lazy_route]
impl LazyRoute for Compose {
    fn data() -> Self {
        Self
    }
    fn view(this: Self) -> AnyView {
        let _ = this;
        ComposePage().into_any()
    }
}

pub struct Posts;

#[lazy_route]
impl LazyRoute for Posts {
    fn data() -> Self {
        Self
    }
    fn view(this: Self) -> AnyView {
        let _ = this;
        QueuePage().into_any()
    }
}

pub struct Accounts;

#[lazy_route]
impl LazyRoute for Accounts {
    fn data() -> Self {
        Self
    }
    fn view(this: Self) -> AnyView {
        let _ = this;
        AccountsPage().into_any()
    }
}

pub struct Callback;

#[lazy_route]
impl LazyRoute for Callback {
    fn data() -> Self {
        Self
    }
    fn view(this: Self) -> AnyView {
        let _ = this;
        OAuthCallback().into_any()
    }
}

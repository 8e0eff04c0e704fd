//! `/compose`: pick the account, drop a video (checked at once, in the browser), write the
//! caption, choose who sees it and how people may interact, then post now or at a time. The
//! checks are the server's own (`post_lifecycle::CreatePost::check` and `tiktok-rules`), run
//! here first so that nothing is uploaded that would be refused.

mod batch;
mod form;
mod queue_slot;
mod send;
mod share;
mod upload;

use crate::api;
use crate::connect::ConnectButton;
use crate::probe_blob::probe_file;
use crate::video_drop::{VideoDrop, now_ms, report_view};
use form::{Form, Outcome, Timing};
use leptos::prelude::*;
use leptos::task::spawn_local;
use letspost_core::api::{AccountStatus, AccountsBody, AppSettings, CreatorInfoBody, paths};
use tiktok_rules::CAPTION_MAX_UTF16;
use tiktok_rules::caption::utf16_len;
use tiktok_rules::privacy::PrivacyLevel;
use web_sys::File;

#[component]
pub fn ComposePage() -> impl IntoView {
    let accounts = LocalResource::new(|| api::get::<AccountsBody>(paths::ACCOUNTS));
    let form = Form::new();
    let outcome = RwSignal::new(None::<Outcome>);
    // The first connected account is picked for the creator; they can change it.
    Effect::new(move |_| {
        if form.account.get_untracked().is_none()
            && let Some(Ok(b)) = accounts.get()
        {
            let first = b.accounts.iter().find(|a| a.status == AccountStatus::Connected).map(|a| a.open_id.clone());
            form.account.set(first);
        }
    });
    // creator_info, fresh each time an account is chosen (TikTok's audit asks for it).
    let creator = LocalResource::new(move || {
        let account = form.account.get();
        async move {
            match account {
                Some(a) => Some(api::get::<CreatorInfoBody>(&format!("{}/{a}/creator-info", paths::ACCOUNTS)).await.map(|b| b.creator_info)),
                None => None,
            }
        }
    });
    // A shared link fills the composer once the creator's options are known.
    let opened = share::from_location();
    let link_error = opened.as_ref().and_then(|r| r.as_ref().err().map(|e| e.to_string()));
    let pending = RwSignal::new(opened.and_then(Result::ok));
    let link_notes = RwSignal::new(Vec::<String>::new());
    let settings = LocalResource::new(|| api::get::<AppSettings>(paths::SETTINGS));
    Effect::new(move |_| {
        // Both the deployment's settings and the creator's options are needed.
        let Some(preselect) = settings.get().map(|s| s.map_or(true, |s| s.preselect_public)) else { return };
        if let Some(Some(Ok(info))) = creator.get() {
            form.adopt(&info, preselect);
            if let Some(shared) = pending.get_untracked() {
                pending.set(None);
                link_notes.set(form.apply(shared, &info));
                share::drop_from_address();
            }
        }
    });

    // A link opened with no connected account: only what it carries, read-only, and Connect.
    let summary_only = Memo::new(move |_| {
        pending.with(Option::is_some) && accounts.get().and_then(Result::ok).is_some_and(|b| !b.accounts.iter().any(|a| a.status == AccountStatus::Connected))
    });

    let checked_in = RwSignal::new(0.0);
    // Which pick is the latest: a check still reading an earlier file (WebKit's Blob reads
    // cross processes, so a slow one can finish last) must not overwrite the newer verdict.
    let picks = StoredValue::new(0u32);
    let on_file = move |file: File| {
        picks.update_value(|n| *n += 1);
        let pick = picks.get_value();
        // A local preview of the new file; the old one's URL is let go.
        if let Some(old) = form.preview.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&old);
        }
        form.preview.set(web_sys::Url::create_object_url_with_blob(&file).ok());
        form.cover_ms.set(None);
        form.preview_failed.set(false);
        form.report.set(None);
        form.checking.set(true);
        let started = now_ms();
        let max = creator.get_untracked().flatten().and_then(Result::ok).map(|c| c.max_video_post_duration_sec);
        form.file.set_value(Some(file.clone()));
        spawn_local(async move {
            let r = probe_file(file, max).await;
            if picks.get_value() != pick {
                return;
            }
            checked_in.set(now_ms() - started);
            form.report.set(Some(r));
            form.checking.set(false);
        });
    };
    // Several files: the batch list and "Add all to queue" take the single post's place.
    let batch = batch::Batch::new();
    let on_files = move |mut files: Vec<File>| {
        if files.len() == 1 {
            batch.items.set(Vec::new());
            on_file(files.remove(0));
        } else {
            if let Some(old) = form.preview.get_untracked() {
                let _ = web_sys::Url::revoke_object_url(&old);
            }
            form.preview.set(None);
            form.report.set(None);
            form.file.set_value(None);
            let max = creator.get_untracked().flatten().and_then(Result::ok).map(|c| c.max_video_post_duration_sec);
            batch.pick(files, max);
        }
    };
    let batch_blocker = Memo::new(move |_| batch.active().then(|| batch.blocker(form, creator.get().flatten())).flatten());
    let blocker = Memo::new(move |_| form.blocker(creator.get().flatten()));
    // The handle the preview shows over the video, as TikTok will.
    let handle = Signal::derive(move || creator.get().flatten().and_then(Result::ok).map(|c| c.creator_username));
    // The schedule's own check (past, or over 30 days ahead), the server's rule.
    let when_blocker = Memo::new(move |_| match form.publish_at() {
        None => Some("Pick a date and time to schedule.".to_string()),
        Some(at) => post_lifecycle::create::check_publish_at(Some(&at), js_sys::Date::now() as u64).err().map(|e| e.message),
    });
    let busy = move || outcome.with(|o| o.as_ref().is_some_and(Outcome::busy));
    // Closing the tab mid-upload loses the upload: the browser asks first.
    let uploading = move || outcome.with(|o| matches!(o, Some(Outcome::Uploading { .. })));
    let guard = window_event_listener(leptos::ev::beforeunload, move |e: web_sys::BeforeUnloadEvent| {
        if uploading() {
            e.prevent_default();
            e.set_return_value("Your video is still uploading.");
        }
    });
    on_cleanup(move || guard.remove());
    let draft = move || form.is_draft();
    // "Add to queue"'s time, asked again once a post is made (it took that time).
    let made = Memo::new(move |_| {
        outcome.with(|o| match o {
            Some(Outcome::Following(p)) => Some(p.id.clone()),
            _ => None,
        })
    });
    let next_free = queue_slot::next_free(form.account, made.into());
    let send = move |timing: Timing| {
        // The blocker covers a missing account, creator_info or video.
        if blocker.get_untracked().is_some() || (timing == Timing::At && when_blocker.get_untracked().is_some()) {
            return;
        }
        send::start(form, outcome, timing);
    };

    view! {
        // Two columns from 1024 px (style.css): the form, and a sticky column with the preview
        // and the post buttons; one column on a phone, the preview just above the buttons.
        <section class="card composer" class:summary-only=move || summary_only.get() data-testid="composer">
            <div class="studio-form">
            <h1>"New TikTok post"</h1>
            {link_error.map(|e| view! { <p class="issue error" role="alert" data-testid="link-error">{e}</p> })}
            {move || (!link_notes.get().is_empty()).then(|| view! {
                <ul class="issues" data-testid="link-notes">{link_notes.get().into_iter().map(|n| view! { <li class="issue warn">{n}</li> }).collect_view()}</ul>
            })}
            <div class="accounts-slot">
            // The fallback takes the field's place and size: nothing below moves when it loads.
            <Suspense fallback=|| view! {
                <label class="field"><span>"Account"</span><select disabled><option>"Loading your accounts…"</option></select></label>
            }>
                {move || accounts.get().map(|r| match r {
                    Err(e) => view! { <p class="issue error" role="alert">{e.message}</p> }.into_any(),
                    Ok(_) if summary_only.get() => share::summary_view(pending.get_untracked().unwrap_or_default()).into_any(),
                    Ok(b) if b.accounts.is_empty() => view! {
                        <p class="empty">"Connect a TikTok account to post."</p>
                        <ConnectButton label="Connect TikTok"/>
                    }.into_any(),
                    Ok(b) => view! {
                        <label class="field">
                            <span>"Account"</span>
                            <select aria-label="Account" on:change=move |ev| form.account.set(Some(event_target_value(&ev)))>
                                {b.accounts.into_iter().map(|a| {
                                    let id = a.open_id.clone();
                                    let selected = move || form.account.get().as_deref() == Some(id.as_str());
                                    let label = if a.username.is_empty() { a.display_name.clone() } else { format!("{} (@{})", a.display_name, a.username) };
                                    view! { <option value=a.open_id.clone() selected=selected>{label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    }.into_any(),
                })}
            </Suspense>
            </div>
            <div class="creator-slot">
            {move || creator.get().flatten().map(|r| match r {
                Ok(info) => {
                    let line = format!("Posting as {} · videos up to {} s", info.creator_nickname, info.max_video_post_duration_sec);
                    let title = line.clone();
                    view! { <p class="muted creator-line" data-testid="creator" title=title>{line}</p> }.into_any()
                }
                Err(e) => view! { <p class="issue error" role="alert" data-testid="creator-error">{e.message}</p> }.into_any(),
            })}
            </div>

            {form::mode_choice(form)}

            <VideoDrop hint="Choose or drop MP4 or MOV files. Nothing is uploaded until you post." on_files=on_files/>
            {batch::list(form, batch)}
            <Show when=move || form.checking.get()>
                <p class="muted">"Checking the video…"</p>
            </Show>
            {move || form.report.get().map(|r| match r {
                Err(e) => view! { <p class="issue error" data-testid="video-error">{e}</p> }.into_any(),
                Ok(rep) => report_view(rep, checked_in.get_untracked()).into_any(),
            })}

            <label class="field">
                <span>"Caption"</span>
                <textarea aria-label="Caption" rows="4" prop:value=move || form.caption.get()
                    on:input=move |ev| form.caption.set(event_target_value(&ev))></textarea>
            </label>
            {move || {
                let n = utf16_len(&form.caption.get());
                let over = n.saturating_sub(CAPTION_MAX_UTF16);
                let text = if over > 0 { format!("{n} / {CAPTION_MAX_UTF16} — {over} over the limit") } else { format!("{n} / {CAPTION_MAX_UTF16}") };
                let class = if over > 0 { "counter over" } else { "counter" };
                view! { <p class=class data-testid="caption-counter" aria-live="polite">{text}</p> }
            }}
            <Show when=draft>
                <p class="muted" data-testid="draft-caption-note">
                    "TikTok doesn't receive a draft's caption: LetsPost keeps it with the post, for you to paste in the app."
                </p>
            </Show>

            <Show when=move || !draft()>
            <label class="field">
                <span>"Who can view this video"</span>
                <select aria-label="Who can view this video" on:change=move |ev| form.privacy.set(PrivacyLevel::parse(&event_target_value(&ev)))>
                    <option value="" selected=move || form.privacy.get().is_none()>"Choose…"</option>
                    {move || form.options.get().into_iter().map(|p| {
                        let forbidden = form.disclosure().forbids(p);
                        view! {
                            <option value=p.as_str() selected=move || form.privacy.get() == Some(p) disabled=forbidden.is_some()
                                title=forbidden.map(|e| e.to_string()).unwrap_or_default()>{p.label()}</option>
                        }
                    }).collect_view()}
                </select>
            </label>

            <details class="advanced">
                <summary>"Advanced settings"</summary>
                {form::interaction_switches(form)}
                {form::disclosure_switches(form)}
                <label class="switch">
                    <input type="checkbox" aria-label="AI-generated content" prop:checked=move || form.aigc.get()
                        on:change=move |ev| form.aigc.set(event_target_checked(&ev))/>
                    <span>"AI-generated content"</span>
                </label>
            </details>
            </Show>

            // A batch goes to the queue: no time to pick.
            <Show when=move || !batch.active()>{form::when_fields(form)}</Show>
            {move || (!form.when.get().is_empty()).then(|| when_blocker.get()).flatten()
                .map(|b| view! { <p class="issue error" data-testid="when-blocker">{b}</p> })}
            {move || {
                let open_id = form.account.get()?;
                let account = accounts.get()?.ok()?.accounts.into_iter().find(|a| a.open_id == open_id)?;
                crate::lapse::post_warning(&account, form.publish_at().as_deref())
            }.map(|w| view! { <p class="issue warn" data-testid="lapse-warning">{w}</p> })}
            </div>

            <aside class="studio-side" aria-label="Preview and post">
            {form::preview(form, handle)}

            <Show when=move || !draft()>
                <p class="declaration" data-testid="declaration">{move || form.disclosure().declaration()}</p>
            </Show>
            <Show when=move || batch.active()>
                {move || batch_blocker.get().map(|b| view! { <p class="issue error" data-testid="blocker">{b}</p> })}
                <p class="actions">
                    <button class="button" disabled=move || batch_blocker.get().is_some() || !queue_slot::has_free(next_free) || batch.running.get()
                        on:click=move |_| batch.start(form)>{move || if batch.failure.get().is_some() { "Resume" } else { "Add all to queue" }}</button>
                </p>
                {queue_slot::next_free_line(next_free)}
                {batch::progress(batch)}
            </Show>
            <Show when=move || !batch.active()>
            {move || blocker.get().map(|b| view! { <p class="issue error" data-testid="blocker">{b}</p> })}
            <p class="actions">
                <button class="button" disabled=move || blocker.get().is_some() || busy() on:click=move |_| send(Timing::Now)>{move || if draft() { "Send now" } else { "Post now" }}</button>
                <button class="button secondary" disabled=move || blocker.get().is_some() || when_blocker.get().is_some() || busy()
                    on:click=move |_| send(Timing::At)>"Schedule"</button>
                <button class="button secondary" disabled=move || blocker.get().is_some() || !queue_slot::has_free(next_free) || busy()
                    on:click=move |_| send(Timing::Queue)>"Add to queue"</button>
            </p>
            {queue_slot::next_free_line(next_free)}
            {move || outcome.get().map(|o| view! { <form::OutcomeView outcome=o retry=outcome/> })}
            </Show>
            {share::share_controls(form)}
            </aside>
        </section>
    }
}

//! Posting schedules in Chromium: set one on /accounts with the page's controls and add a video
//! to the queue (published at its slot); move a post in the week view by mouse, by touch and by
//! keyboard; a batch of three videos, one refused. Firefox and WebKit run the same flows in
//! `ui_engines`.

use letspost_e2e::Engine;
use letspost_e2e::schedule;

#[tokio::test]
async fn set_a_schedule_and_a_queued_video_goes_out_at_its_first_time() {
    schedule::schedule_and_add_to_queue(Engine::Chromium).await;
}

#[tokio::test]
async fn drag_a_post_to_another_day_and_onto_a_free_slot_or_move_it_by_keyboard() {
    schedule::move_in_the_week_view(Engine::Chromium, true).await;
}

#[tokio::test]
async fn a_batch_of_three_with_one_refused_makes_two_posts_in_consecutive_slots() {
    schedule::batch_add_all_to_queue(Engine::Chromium).await;
}

"""A fake Slack for the suite: the Web API, response URLs, file upload URLs and Socket Mode,
over real HTTP on loopback, checking every call against Slack's published description and
every Block Kit payload against slack_sdk's models and Slack's limits.

    from tests.slack_fake import FakeSlack, signed_headers

    with FakeSlack(team_id="T0PLAN", bot_user_id="UPLANBOT", bot_token="xoxb-test") as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url)

Or use the ``fake_slack`` fixture (`tests.slack_fake.fixtures`): one fake per session,
reset for each test, failing the test at teardown when ``problems`` is not empty.

FakeSlack(team_id, bot_user_id, bot_token, app_token="xapp-test", bot_id, app_id,
          post_interval_per_channel=None, workspace_rate_per_minute=None,
          method_rate_per_minute=None)
  start() / stop() / context manager: an aiohttp server on 127.0.0.1:<free port> in a thread
  url                      "http://127.0.0.1:PORT/api/", the Web API base (SLACK_API_URL)
  add_user(user_id, *, email, real_name, deleted, team_id, is_bot, tz) -> the users.info object
  add_channel(channel_id, *, name, is_member=True)   channels other than DMs must be added
  dm_channel(user_id) -> "D..."   the DM a post to the user id lands in; stable per user
  calls / calls_to(method) -> [Call(method, args, headers, at, status, response; .ok, .error)]
  messages(channel) -> [{"ts", "text", "blocks", "thread_ts", "user", "edited"?, "files"?,
                        "metadata", "unfurl_links", "unfurl_media"}]   edits applied; a
                        user id means that user's DM; message(channel, ts) -> one or None
  ephemerals -> [{"channel", "user", "text", "blocks", "thread_ts", "ts"}]
  response_url(name) -> URL; responses(name) -> JSON bodies POSTed to it, in order
  views -> [{"method", "view_id", "user_id", "view"}]; view(view_id) as it stands; home(user_id)
  uploads -> [{"id", "filename", "title", "content": bytes, "channel_id", "initial_comment",
              "thread_ts"}]   files completed with files.completeUploadExternal
  fail(method, status, *, times=1, retry_after=None, error=None)   next calls answer 429
              (Retry-After, default 1), 500, 503..., or 200 {"ok": false, "error": error}
  delay(method, seconds, *, times=1)   next calls answered late (client timeouts)
  fail_after_accepting(method, status=500, *, seconds=0, times=1)   next calls take effect
              (a post is kept), then answer `status`, or (status=None) only after `seconds`
  conversations.history: newest first, `oldest`/`inclusive`/`limit`/`cursor`, message
              `metadata` only with include_all_metadata; a post's metadata is checked
  rate limits: post_interval_per_channel (chat.postMessage), workspace_rate_per_minute
              (chat.postMessage across the workspace), method_rate_per_minute {method: n};
              settable attributes; limits are spacing (60/n s apart, less rate_tolerance,
              50 ms); over them: 429 + integer Retry-After; a call to a method/channel
              still under a Retry-After (from 0.25 s after it was given) is a problem.
              rate_report(method="chat.postMessage") -> accepted, rate_limited, first, last,
              elapsed, floor (a lower bound on the time the limits allow those calls: the
              workspace spacing or the busiest channel's), ratio = elapsed / floor
  problems -> [str]; take_problems() returns and forgets them; problem(text) adds one
  reset(*, users=False)     forget calls, messages, views, uploads, responses, failures,
                            problems; restore the constructed rate limits and
                            trigger_lifetime (3 s: views.open/push refuse older trigger ids)
  check_ack(request_body, status, ack) -> [str]   the bot's HTTP answer to a request a
                            test sent, checked as Slack would take it (acks.py); recorded
                            as problems too
  wait_until(condition, timeout) / await await_until(condition, timeout)

What people do, as the payloads Slack sends the bot (send them signed with
interaction_body/event_body, or via socket_send):
  user_message(user_id, text, *, channel=None, thread_ts=None) -> the message event (the
              message is kept in the DM, so a reply can thread on it)
  press_button(channel, ts, action_id, *, user_id, response_name=None) -> block_actions
              payload for a button on a message the bot posted; its response_url honours
              replace_original / delete_original on that message
  submit_view(view_id, {block_id: value}, *, user_id=None) -> view_submission payload with
              state.values as Slack fills them (user: whoever the modal was opened for);
              ValueError where Slack would not submit
  press_view_button(view_id, action_id, *, user_id=None, values=None) -> block_actions
              payload for a button inside a modal, with what was typed so far
  trigger_id(user_id) -> a fresh trigger id tied to the person (payloads above use these;
              give one to slash_command_fields so views.open knows whose modal it is)
  app_home_opened(user_id) -> the app_home_opened event

Socket Mode: apps.connections.open (app token) -> ws://127.0.0.1:PORT/socket?ticket=...
(single use, as Slack's); "hello" on connect. socket_connected; socket_connections (since reset); socket_acks;
socket_send(envelope_type, payload, *, timeout=3, retry_attempt=0) -> the ack or None (and
a problem); await asocket_send(...) from an async test; socket_disconnect(reason).
Ack payloads are checked (blocks; view_submission response_action).

Checks on every Web API call: the method exists (files.upload -> method_deprecated), the
token (bot token; app token for apps.connections.open; else not_authed / invalid_auth /
not_allowed_token_type), the arguments against Slack's published description (spec.py:
required, unknown, JSON sent to a form-only method; team_id allowed everywhere), Block
Kit (blockkit.py), "<!channel>"/"<!here>"/"<!everyone>" in text the bot sends, blocks
without a text fallback.

Web API methods simulated (methods.py): auth.test, chat.postMessage, chat.update,
chat.postEphemeral, chat.delete, conversations.open, conversations.info, users.info,
users.lookupByEmail, team.info, views.open, views.push, views.update, views.publish,
files.getUploadURLExternal (+ POST to its upload_url), files.completeUploadExternal,
apps.connections.open. Another method Slack has answers unknown_method and is reported.

Requests to the bot (signing.py): signed_headers(secret, body, *, timestamp=None,
retry_num=None, retry_reason="http_timeout"),
slash_command_body/slash_command_fields, interaction_body(payload),
event_body/event_payload(event, *, event_id, team_id, ...), url_verification_body,
new_trigger_id() (views.open refuses a trigger id older than 3 s, or used twice).

Block Kit checks (blockkit.py): block_problems(blocks, surface=), view_problems(view),
message_problems(args), mention_problems(payload), view_ack_problems(ack, submitted_view)
-> [str]; acks.py: ack_problems(request_body, status, ack), request_kind(body).

Not modelled (a call to an unsimulated method is reported, so a gap shows up by name):
history, listing and pagination methods; org-wide installs; Slack's own redelivery of
events (tests send retries themselves); attachments (passed through unchecked); a reply
with an unknown thread_ts (accepted, as Slack does); response_url expiry after 30 minutes.
"""

from tests.slack_fake.acks import ack_problems
from tests.slack_fake.blockkit import block_problems, mention_problems, message_problems, view_ack_problems, view_problems
from tests.slack_fake.server import Call, FakeSlack, iter_blocks_text
from tests.slack_fake.signing import (
    event_body,
    event_payload,
    interaction_body,
    new_trigger_id,
    signature,
    signed_headers,
    slash_command_body,
    slash_command_fields,
    url_verification_body,
)

__all__ = [
    "Call",
    "FakeSlack",
    "ack_problems",
    "block_problems",
    "event_body",
    "event_payload",
    "interaction_body",
    "iter_blocks_text",
    "mention_problems",
    "message_problems",
    "new_trigger_id",
    "signature",
    "signed_headers",
    "slash_command_body",
    "slash_command_fields",
    "url_verification_body",
    "view_ack_problems",
    "view_problems",
]

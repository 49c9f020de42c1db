-- Message actions: reply, edit (15 minutes), delete for everyone, reactions. Every rule is the
-- database's; the RPCs edit_message, delete_message and toggle_reaction are thin, and a plain
-- PostgREST update or insert meets the same triggers.
--
-- Which layer owns which rule (the codes are in private.error_codes):
--   edit_message, delete_message   the message is one the caller can see (SP101,
--   toggle_reaction (API)          private.refuse_message_not_found); toggle_reaction chooses between
--                                  adding and taking back. Nothing else.
--   messages insert trigger        as before (see the messaging migration), with the body checked by
--   (handle_message_before_insert) private.checked_message_body (SP003, SP004), and a reply's
--                                  original in the same conversation (SP107).
--   messages update guard          who may change what: edits and deletes only by an API caller who
--   (handle_message_guard)         sent the message (SP102) and only while it is open (SP104 deleted,
--                                  SP105 archived: private.assert_message_open); edits within
--                                  private.message_edit_window() (SP103) under the sending body rules;
--                                  the session is live (SP006, the statement trigger of messaging).
--   messages after-update trigger  what an edit or a delete changes elsewhere: the earlier version
--   (handle_message_changed)       (private.message_versions), the deleted text's 30-day copy
--                                  (private.deleted_messages), the reactions and files of a deleted
--                                  message, its pending push, the preview and the unread counts.
--   reactions insert trigger       the fixed emoji set (SP106), the message visible and open (SP101,
--                                  SP104, SP105); the session is live (SP006).
--   realtime triggers              message_updated and reactions_changed on the conversation topic.

-- =============================================================================================
-- Helpers
-- =============================================================================================

create function private.message_edit_window() returns interval
language sql
immutable
parallel safe
set search_path = ''
as $$
  select interval '15 minutes'
$$;
comment on function private.message_edit_window() is 'How long after sending the sender may edit a message: 15 minutes.';

create function private.reaction_emoji() returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
  select array['👍', '❤️', '😂', '😮', '😢', '🙏', '💪', '🔥']
$$;
comment on function private.reaction_emoji() is 'The emoji a message can be reacted with, in the order the app shows them.';

-- Keyboards differ in whether they add the emoji variation selector (U+FE0F): ❤ and ❤️ are one
-- reaction, stored as written in private.reaction_emoji().
create function private.canonical_emoji(emoji text) returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select e from unnest(private.reaction_emoji()) as e
  where replace(e, U&'\FE0F', '') = replace(canonical_emoji.emoji, U&'\FE0F', '')
$$;
comment on function private.canonical_emoji(text) is 'The reaction emoji as stored (private.reaction_emoji), whether or not it was written with U+FE0F; null for any other text.';

-- The body rules of sending, as one function: sending and editing both call it.
create function private.checked_message_body(body text) returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  trimmed text := private.trim_blank(body);
begin
  if trimmed is null or private.is_blank(trimmed) then
    raise exception 'a message cannot be empty' using errcode = 'SP003';
  end if;
  if char_length(trimmed) > private.message_body_max_length() then
    raise exception 'a message can be at most % characters (this one has %)',
      private.message_body_max_length(), char_length(trimmed)
      using errcode = 'SP004';
  end if;
  return trimmed;
end;
$$;
comment on function private.checked_message_body(text) is 'A message body without blank characters at either end; raises SP003 when nothing is left and SP004 when it is longer than private.message_body_max_length().';

create function private.refuse_message_not_found(message_id uuid) returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'message % not found', message_id using errcode = 'SP101';
end;
$$;
comment on function private.refuse_message_not_found(uuid) is 'Raises SP101: the message does not exist or is in a conversation the caller does not take part in.';

-- A message can be edited, deleted or reacted to only while it is not deleted and its conversation
-- is not archived. Invoker: called as the writing user, whose conversations RLS shows.
create function private.assert_message_open(message public.messages) returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if message.deleted_at is not null then
    raise exception 'this message was deleted' using errcode = 'SP104';
  end if;
  if exists (
    select 1 from public.conversations c
    where c.id = message.conversation_id and c.archived_at is not null
  ) then
    raise exception 'this conversation is archived: its messages can no longer be changed or reacted to'
      using errcode = 'SP105';
  end if;
end;
$$;
comment on function private.assert_message_open(public.messages) is 'Raises SP104 for a deleted message and SP105 when its conversation is archived.';

-- =============================================================================================
-- Tables
-- =============================================================================================
alter table public.messages
  add column reply_to_id uuid references public.messages (id) on delete set null,
  add column edited_at timestamptz,
  add column deleted_at timestamptz;
comment on column public.messages.reply_to_id is 'The message this one replies to, in the same conversation; null when it is no reply (or the original is gone with its conversation).';
comment on column public.messages.edited_at is 'When the sender last edited the text (within 15 minutes of sending); null if never edited. Earlier versions are in private.message_versions.';
comment on column public.messages.deleted_at is 'When the sender deleted it for everyone; the row stays (seq has no gaps) with an empty body. The text is kept 30 days in private.deleted_messages.';
comment on table public.messages is 'Direct messages. Sent through send_message(); the sender may edit the text for 15 minutes (edit_message) and delete it for everyone (delete_message); sender, time and place never change.';
comment on column public.messages.body is 'The text, without blank characters at either end (private.trim_blank), not blank, at most 2000 characters counted as code points (char_length); empty once the message is deleted.';

-- A deleted message keeps its row with an empty body; every other message keeps the sending rules.
alter table public.messages
  drop constraint messages_body_not_blank,
  add constraint messages_body_not_blank check (deleted_at is not null or not private.is_blank(body)),
  add constraint messages_deleted_body_empty check (deleted_at is null or body = '');

create index messages_reply_to_id_idx on public.messages (reply_to_id) where reply_to_id is not null;

create table private.message_versions (
  id bigint generated always as identity primary key,
  message_id uuid not null references public.messages (id) on delete cascade,
  body text not null,
  written_at timestamptz not null,
  replaced_at timestamptz not null
);
comment on table private.message_versions is 'Server-only (RLS on, no policy): every earlier text of an edited message, for admins. Versions of a message deleted more than 30 days ago are purged with its copy (private.purge_deleted_messages).';
comment on column private.message_versions.id is 'Order in which versions were replaced.';
comment on column private.message_versions.message_id is 'The edited message.';
comment on column private.message_versions.body is 'The text as it was before this edit.';
comment on column private.message_versions.written_at is 'When that text was written: the sending time, or the edit before this one.';
comment on column private.message_versions.replaced_at is 'When an edit replaced it.';

create index message_versions_message_id_idx on private.message_versions (message_id, id);

create table private.deleted_messages (
  message_id uuid primary key references public.messages (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  sender_id uuid references public.profiles (id) on delete set null,
  body text not null,
  sent_at timestamptz not null,
  deleted_at timestamptz not null
);
comment on table private.deleted_messages is 'Server-only (RLS on, no policy): the text of each message deleted for everyone, kept 30 days for admins and then purged by the scheduled job spotter-purge-deleted-messages.';
comment on column private.deleted_messages.message_id is 'The deleted message (its row stays in public.messages with an empty body).';
comment on column private.deleted_messages.conversation_id is 'Its conversation.';
comment on column private.deleted_messages.sender_id is 'Who sent and deleted it.';
comment on column private.deleted_messages.body is 'The text at the time of deletion.';
comment on column private.deleted_messages.sent_at is 'When it was sent.';
comment on column private.deleted_messages.deleted_at is 'When it was deleted; the copy is purged 30 days later.';

create index deleted_messages_deleted_at_idx on private.deleted_messages (deleted_at);
create index deleted_messages_conversation_id_idx on private.deleted_messages (conversation_id);
create index deleted_messages_sender_id_idx on private.deleted_messages (sender_id);

-- Files leave through the Storage API, never by deleting storage.objects rows (that would leave
-- the file itself behind): the database queues them here in the deleting transaction, and a worker
-- with the service key drains the queue — claim due rows FOR UPDATE SKIP LOCKED with a lease, call
-- the Storage API's remove for each bucket's names, then set done_at (or last_error and a later
-- not_before), as the push dispatcher drains private.push_outbox.
create table private.storage_removals (
  id bigint generated always as identity primary key,
  bucket_id text not null,
  object_name text not null,
  message_id uuid references public.messages (id) on delete set null,
  queued_at timestamptz not null default now(),
  not_before timestamptz not null default now(),
  attempts integer not null default 0,
  locked_until timestamptz,
  done_at timestamptz,
  last_error text,
  constraint storage_removals_object_key unique (bucket_id, object_name)
);
comment on table private.storage_removals is 'Server-only (RLS on, no policy): files to remove through the Storage API (the attachments of deleted messages), queued by the database and drained by a worker holding the service key.';
comment on column private.storage_removals.id is 'Queue order.';
comment on column private.storage_removals.bucket_id is 'The Storage bucket of the file.';
comment on column private.storage_removals.object_name is 'The object''s name (path) in its bucket.';
comment on column private.storage_removals.message_id is 'The deleted message the file belonged to.';
comment on column private.storage_removals.queued_at is 'When the removal was queued.';
comment on column private.storage_removals.not_before is 'Earliest time to try (later after a failure).';
comment on column private.storage_removals.attempts is 'How many times a worker tried to remove it.';
comment on column private.storage_removals.locked_until is 'A worker holds the row until then; after that another may retry it.';
comment on column private.storage_removals.done_at is 'When the Storage API confirmed the removal.';
comment on column private.storage_removals.last_error is 'The last failure, for admins.';

create index storage_removals_pending_idx on private.storage_removals (not_before) where done_at is null;
create index storage_removals_message_id_idx on private.storage_removals (message_id);

create table public.message_reactions (
  message_id uuid not null references public.messages (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  emoji text not null,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  created_at timestamptz not null default now(),
  constraint message_reactions_pkey primary key (message_id, user_id, emoji),
  constraint message_reactions_emoji_known check (emoji = any (private.reaction_emoji()))
);
comment on table public.message_reactions is 'Reactions to messages: each user at most once per emoji and message, from the fixed set private.reaction_emoji(). Toggled with toggle_reaction().';
comment on column public.message_reactions.message_id is 'The message reacted to.';
comment on column public.message_reactions.user_id is 'Who reacted.';
comment on column public.message_reactions.emoji is 'One of private.reaction_emoji(): 👍 ❤️ 😂 😮 😢 🙏 💪 🔥.';
comment on column public.message_reactions.conversation_id is 'The message''s conversation (filled in by the database), for access checks.';
comment on column public.message_reactions.created_at is 'When the reaction was added.';

create index message_reactions_conversation_id_idx on public.message_reactions (conversation_id);
create index message_reactions_user_id_idx on public.message_reactions (user_id);

alter table private.push_outbox
  drop constraint push_outbox_outcome_known,
  add constraint push_outbox_outcome_known check (outcome in ('sent', 'read', 'no_devices', 'failed', 'deleted'));
comment on column private.push_outbox.outcome is 'How it ended: sent (to every device), read (already read, no push), no_devices, failed (gave up after retries or refused for good; see last_error), or deleted (the sender deleted the message before it was pushed).';

-- =============================================================================================
-- Grants
-- =============================================================================================
-- Edits and deletes are updates of body and deleted_at, which the guard below lets only the sender make.
grant update (body, deleted_at) on public.messages to authenticated;
grant insert (reply_to_id) on public.messages to authenticated;

revoke all on public.message_reactions from anon, authenticated;
grant select, delete on public.message_reactions to authenticated;
grant insert (message_id, emoji) on public.message_reactions to authenticated;

revoke all on private.message_versions, private.deleted_messages, private.storage_removals
  from public, anon, authenticated, service_role;

-- Helpers that run as the writing user: in the update guard, the reactions trigger, the check constraint
-- of message_reactions and the invoker API functions.
revoke execute on function private.message_edit_window(), private.reaction_emoji(), private.canonical_emoji(text),
  private.checked_message_body(text), private.refuse_message_not_found(uuid),
  private.assert_message_open(public.messages)
  from public, anon, authenticated, service_role;
grant execute on function private.message_edit_window(), private.reaction_emoji(), private.canonical_emoji(text),
  private.checked_message_body(text), private.refuse_message_not_found(uuid),
  private.assert_message_open(public.messages)
  to authenticated;
grant execute on function private.reaction_emoji() to service_role;

-- =============================================================================================
-- Trigger functions
-- =============================================================================================

-- As in the messaging migration, with the body rules in private.checked_message_body and a reply's
-- original required in the same conversation. A deleted original may be replied to: a reply queued
-- offline must not be lost because the other side deleted what it quotes.
create or replace function private.handle_message_before_insert() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  from_api boolean := (select auth.role()) = 'authenticated';
  conv public.conversations;
  recent integer;
begin
  -- Who is sending: a live session, as themselves; the server stamps time, read and edit state.
  if from_api then
    perform private.assert_live_session();
    new.sender_id := coalesce(new.sender_id, (select auth.uid()));
    if new.sender_id is distinct from (select auth.uid()) then
      raise exception 'messages can only be sent as yourself' using errcode = '42501';
    end if;
    new.read_at := null;
    new.created_at := null;
    new.edited_at := null;
    new.deleted_at := null;
  end if;

  new.body := private.checked_message_body(new.body);

  -- The conversation: the sender takes part in it.
  select * into conv from public.conversations c where c.id = new.conversation_id;
  if not found
     or (new.sender_id is distinct from conv.trainer_id and new.sender_id is distinct from conv.trainee_id) then
    perform private.refuse_not_linked();
  end if;

  if new.reply_to_id is not null and not exists (
    select 1 from public.messages r
    where r.id = new.reply_to_id and r.conversation_id = new.conversation_id
  ) then
    raise exception 'the message you reply to is not in this conversation' using errcode = 'SP107';
  end if;

  if from_api then
    -- One sender's sends are serialized (profile row lock, always taken before the conversation
    -- row), so the limit is exact under concurrency.
    perform 1 from public.profiles p where p.id = new.sender_id for no key update;
    select count(*) into recent
    from public.messages m
    where m.sender_id = new.sender_id and m.created_at > clock_timestamp() - interval '1 minute';
    if recent >= 30 then
      raise exception 'you are sending too fast: at most 30 messages per minute'
        using errcode = 'SP005', hint = 'Wait a moment and try again.';
    end if;
  end if;

  -- Locks the conversation row: sends to one conversation are serialized, so seq order is commit
  -- order and a client catching up with "seq > last seen" never misses a message.
  update public.conversations c
  set last_message_seq = c.last_message_seq + 1,
      last_message_id = new.id,
      last_message_at = coalesce(new.created_at, greatest(clock_timestamp(), c.last_message_at)),
      last_message_preview = private.message_preview(new.body),
      last_message_sender_id = new.sender_id,
      trainer_unread_count = c.trainer_unread_count
        + case when new.read_at is null and new.sender_id is distinct from c.trainer_id then 1 else 0 end,
      trainee_unread_count = c.trainee_unread_count
        + case when new.read_at is null and new.sender_id is distinct from c.trainee_id then 1 else 0 end
  where c.id = new.conversation_id
  returning * into conv;
  if conv.archived_at is not null then
    raise exception 'this conversation is archived and read-only' using errcode = 'SP002',
      hint = case conv.archived_reason
        when 'unlinked' then 'The trainee is no longer linked to this trainer.'
        else 'The other person''s account was deleted.' end;
  end if;
  new.seq := conv.last_message_seq;
  new.created_at := conv.last_message_at;
  return new;
end;
$$;
comment on function private.handle_message_before_insert() is 'Validates a new message (session, sender, body, conversation, reply target, rate limit, archive), assigns seq and server time, and updates the conversation aggregates. Definer: senders cannot update conversations.';

-- Who may change what in a message. Invoker: it sees the caller's role and what RLS shows them.
create or replace function private.handle_message_guard() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  from_api boolean := coalesce((select auth.role()) = 'authenticated', false);
begin
  -- Never: another id, conversation, seq or sending time, another sender or original. Deleting a
  -- user nulls sender_id and a deleted conversation's messages null each other's reply_to_id
  -- (on delete set null); those are the only changes of these columns.
  if new.id is distinct from old.id or new.conversation_id is distinct from old.conversation_id
     or new.seq is distinct from old.seq or new.created_at is distinct from old.created_at
     or (new.sender_id is distinct from old.sender_id and new.sender_id is not null)
     or (new.reply_to_id is distinct from old.reply_to_id and new.reply_to_id is not null) then
    raise exception 'a message''s sender, time, place and original cannot be changed' using errcode = '42501';
  end if;

  -- Edits and deletes: by the sender, through the API (so that every version is kept), while open.
  if new.body is distinct from old.body or new.deleted_at is distinct from old.deleted_at
     or new.edited_at is distinct from old.edited_at then
    if not from_api then
      raise exception 'a message is edited or deleted only by its sender, through edit_message or delete_message'
        using errcode = '42501';
    end if;
    if old.sender_id is distinct from (select auth.uid()) then
      raise exception 'only the sender can edit or delete a message' using errcode = 'SP102';
    end if;
    perform private.assert_message_open(old);
    if new.deleted_at is not null then
      new.deleted_at := now();
      new.body := '';
      new.edited_at := old.edited_at;
    else
      if old.created_at < now() - private.message_edit_window() then
        raise exception 'a message can be edited only within % of sending', private.message_edit_window()
          using errcode = 'SP103';
      end if;
      new.body := private.checked_message_body(new.body);
      new.edited_at := case when new.body = old.body then old.edited_at else now() end;
    end if;
  end if;

  -- Read receipts: by the recipient, once, from unread to read, stamped with server time. A deleted
  -- message stays as it was: it no longer counts as unread, and reading it must not count it again.
  if from_api and new.read_at is distinct from old.read_at then
    if old.sender_id = (select auth.uid()) then
      raise exception 'only the recipient can mark a message read' using errcode = '42501';
    end if;
    if old.read_at is not null then
      raise exception 'a read message cannot be marked unread' using errcode = '42501';
    end if;
    new.read_at := case when old.deleted_at is null then now() end;
  end if;
  return new;
end;
$$;
comment on function private.handle_message_guard() is 'Keeps a message''s sender, time and place fixed; lets only its sender edit (15 minutes) or delete it while open; read_at only from unread to read, by the recipient, stamped with server time.';

-- What an edit or a delete changes beyond the row. Definer: the copies, the outbox and the
-- conversation aggregates are written by no API role.
create function private.handle_message_changed() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  deleting boolean := old.deleted_at is null and new.deleted_at is not null;
begin
  if deleting then
    insert into private.deleted_messages (message_id, conversation_id, sender_id, body, sent_at, deleted_at)
    values (old.id, old.conversation_id, old.sender_id, old.body, old.created_at, new.deleted_at);
    delete from public.message_reactions r where r.message_id = new.id;
    perform private.queue_deleted_message_files(new.id);
    -- A push not sent yet is not sent: the claim and the device reservation skip finished rows.
    update private.push_outbox o
    set done_at = now(), locked_until = null, outcome = 'deleted'
    where o.message_id = new.id and o.done_at is null;
  else
    insert into private.message_versions (message_id, body, written_at, replaced_at)
    values (old.id, old.body, coalesce(old.edited_at, old.created_at), new.edited_at);
  end if;

  -- The newest message's preview follows its text; a deleted unread message no longer counts.
  update public.conversations c
  set last_message_preview = case
        when c.last_message_id is distinct from new.id then c.last_message_preview
        when new.deleted_at is not null then 'Message deleted'
        else private.message_preview(new.body) end,
      trainer_unread_count = greatest(0, c.trainer_unread_count
        - case when deleting and old.read_at is null and old.sender_id is distinct from c.trainer_id then 1 else 0 end),
      trainee_unread_count = greatest(0, c.trainee_unread_count
        - case when deleting and old.read_at is null and old.sender_id is distinct from c.trainee_id then 1 else 0 end)
  where c.id = new.conversation_id
    and (c.last_message_id = new.id or (deleting and old.read_at is null));
  return null;
end;
$$;
comment on function private.handle_message_changed() is 'After an edit: keeps the earlier version and the preview. After a delete: keeps the text 30 days, removes reactions, queues files, cancels the pending push, fixes preview and unread counts. Definer: none of these is written by an API role.';

-- The one place where a deleted message's files are queued for removal through the Storage API
-- (drained as private.storage_removals describes). Messages carry no files yet: when attachments
-- exist, this inserts their bucket and object names. Returns how many files it queued.
create function private.queue_deleted_message_files(message_id uuid) returns integer
language plpgsql
set search_path = ''
as $$
begin
  -- No attachment table yet, so nothing to queue for queue_deleted_message_files.message_id.
  return 0;
end;
$$;
comment on function private.queue_deleted_message_files(uuid) is 'Queues the files of a deleted message in private.storage_removals (none until messages have attachments). Called by handle_message_changed.';

-- Reactions: the fixed set, on a message the caller sees that is still open.
create function private.handle_reaction_before_insert() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  message public.messages;
begin
  new.created_at := clock_timestamp();
  new.emoji := coalesce(private.canonical_emoji(new.emoji), new.emoji);
  if current_user <> 'authenticated' then
    select m.conversation_id into new.conversation_id from public.messages m where m.id = new.message_id;
    return new;
  end if;
  new.user_id := (select auth.uid());
  select * into message from public.messages m where m.id = new.message_id;
  if not found then
    perform private.refuse_message_not_found(new.message_id);
  end if;
  perform private.assert_message_open(message);
  if not new.emoji = any (private.reaction_emoji()) then
    raise exception '"%" is not one of the reactions (%)',
      left(new.emoji, 16) || case when char_length(new.emoji) > 16 then '…' else '' end,
      array_to_string(private.reaction_emoji(), ' ')
      using errcode = 'SP106';
  end if;
  new.conversation_id := message.conversation_id;
  return new;
end;
$$;
comment on function private.handle_reaction_before_insert() is 'Checks a new reaction: the fixed emoji set, a message the caller can see that is neither deleted nor in an archived conversation; fills in user and conversation.';

create function private.handle_reaction_before_delete() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user = 'authenticated' then
    perform private.assert_message_open(m) from public.messages m where m.id = old.message_id;
  end if;
  return old;
end;
$$;
comment on function private.handle_reaction_before_delete() is 'Taking back a reaction follows the same rule as adding one: not in an archived conversation. (A deleted message''s reactions are removed by the database itself.)';

-- For the tables whose row triggers are invoker (they must see what RLS shows the caller) and so
-- cannot read auth.sessions themselves.
create function private.handle_write_check_session() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.assert_live_session();
  return null;
end;
$$;
comment on function private.handle_write_check_session() is 'Refuses API writes from impersonated sessions (SP006), once per statement (reactions, last seen, notes, triage). Definer to read auth.sessions.';

revoke execute on function private.handle_message_changed(), private.queue_deleted_message_files(uuid),
  private.handle_reaction_before_insert(), private.handle_reaction_before_delete(),
  private.handle_write_check_session()
  from public, anon, authenticated, service_role;

-- =============================================================================================
-- Triggers
-- =============================================================================================
create trigger messages_after_update_apply_changes
  after update of body, deleted_at on public.messages
  for each row
  when (old.body is distinct from new.body or old.deleted_at is distinct from new.deleted_at)
  execute function private.handle_message_changed();

create trigger message_reactions_before_insert_validate
  before insert on public.message_reactions
  for each row execute function private.handle_reaction_before_insert();

create trigger message_reactions_before_delete_validate
  before delete on public.message_reactions
  for each row execute function private.handle_reaction_before_delete();

create trigger message_reactions_before_write_check_session
  before insert or delete on public.message_reactions
  for each statement execute function private.handle_write_check_session();

-- =============================================================================================
-- Row-level security
-- =============================================================================================
alter table private.message_versions enable row level security;
alter table private.deleted_messages enable row level security;
alter table private.storage_removals enable row level security;
alter table public.message_reactions enable row level security;

-- One update policy (one check per row): participants may update messages of their conversations,
-- and the guard (handle_message_guard) decides what: read receipts by the recipient, edits and
-- deletes by the sender.
drop policy "Recipients can mark messages they received as read" on public.messages;
create policy "Participants can mark received messages read and edit or delete their own"
  on public.messages for update
  to authenticated
  using (private.is_conversation_participant(conversation_id))
  with check (private.is_conversation_participant(conversation_id));

create policy "Participants can see the reactions in their conversations"
  on public.message_reactions for select
  to authenticated
  using (private.is_conversation_participant(conversation_id));

create policy "Participants can react to messages in their conversations"
  on public.message_reactions for insert
  to authenticated
  with check (
    user_id = (select auth.uid())
    and private.is_conversation_participant(conversation_id)
  );

create policy "Users can take back their own reactions"
  on public.message_reactions for delete
  to authenticated
  using (user_id = (select auth.uid()));

-- =============================================================================================
-- Realtime: message_updated and reactions_changed on the conversation topic
-- =============================================================================================

-- The row as the API returns it (a deleted message with its body already empty).
create function private.handle_message_updated_broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object('message', to_jsonb(new)),
    'message_updated',
    'conversation:' || new.conversation_id::text,
    true
  );
  return null;
end;
$$;
comment on function private.handle_message_updated_broadcast() is 'Broadcasts an edited or deleted message (message_updated, the row as the API returns it) to its conversation topic after commit.';

-- A message's reactions, grouped by emoji in the order of private.reaction_emoji(). Invoker:
-- as an API caller it shows what RLS shows them.
create function private.reaction_summary(message_id uuid) returns jsonb
language sql
stable
set search_path = ''
as $$
  select coalesce(
    jsonb_agg(
      jsonb_build_object('emoji', r.emoji, 'count', r.count, 'user_ids', r.user_ids)
      order by array_position(private.reaction_emoji(), r.emoji)
    ),
    '[]'::jsonb
  )
  from (
    select x.emoji, count(*)::integer as count, array_agg(x.user_id order by x.created_at, x.user_id) as user_ids
    from public.message_reactions x
    where x.message_id = reaction_summary.message_id
    group by x.emoji
  ) r
$$;
comment on function private.reaction_summary(uuid) is 'A message''s reactions as [{emoji, count, user_ids}], in the order of private.reaction_emoji().';

-- Once per statement and message; not for a deleted message (message_updated says it all).
create function private.handle_reactions_broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object(
      'conversation_id', m.conversation_id,
      'message_id', m.id,
      'reactions', private.reaction_summary(m.id)
    ),
    'reactions_changed',
    'conversation:' || m.conversation_id::text,
    true
  )
  from public.messages m
  where m.id in (select c.message_id from changed c) and m.deleted_at is null;
  return null;
end;
$$;
comment on function private.handle_reactions_broadcast() is 'Broadcasts a message''s reaction summary (reactions_changed) to its conversation topic after reactions are added or taken back.';

revoke execute on function private.handle_message_updated_broadcast(), private.handle_reactions_broadcast()
  from public, anon, authenticated, service_role;
revoke execute on function private.reaction_summary(uuid) from public, anon, service_role;
grant execute on function private.reaction_summary(uuid) to authenticated;

create trigger messages_after_update_broadcast_changes
  after update of body, deleted_at on public.messages
  for each row
  when (old.body is distinct from new.body or old.deleted_at is distinct from new.deleted_at)
  execute function private.handle_message_updated_broadcast();

create trigger message_reactions_after_insert_broadcast
  after insert on public.message_reactions
  referencing new table as changed
  for each statement execute function private.handle_reactions_broadcast();

create trigger message_reactions_after_delete_broadcast
  after delete on public.message_reactions
  referencing old table as changed
  for each statement execute function private.handle_reactions_broadcast();

-- The inbox event also when only the preview changes (an edit or a delete of the newest message).
drop trigger conversations_after_update_broadcast on public.conversations;
create trigger conversations_after_update_broadcast
  after update on public.conversations
  for each row
  when (
    old.last_message_id is distinct from new.last_message_id
    or old.last_message_preview is distinct from new.last_message_preview
    or old.trainer_unread_count <> new.trainer_unread_count
    or old.trainee_unread_count <> new.trainee_unread_count
    or old.archived_at is distinct from new.archived_at
    or old.trainer_id is distinct from new.trainer_id
    or old.trainee_id is distinct from new.trainee_id
  )
  execute function private.handle_conversation_broadcast();

-- =============================================================================================
-- Error codes
-- =============================================================================================
insert into private.error_codes (code, meaning) values
  ('SP101', 'Message not found, or in a conversation the caller does not take part in (edit_message, delete_message, toggle_reaction; private.refuse_message_not_found).'),
  ('SP102', 'Not your message: only the sender can edit or delete it (messages update guard).'),
  ('SP103', 'The edit window has passed: a message can be edited within 15 minutes of sending (messages update guard).'),
  ('SP104', 'The message was deleted: it can no longer be edited, deleted again or reacted to (private.assert_message_open).'),
  ('SP105', 'The conversation is archived: its messages can no longer be edited, deleted or reacted to (private.assert_message_open).'),
  ('SP106', 'Not one of the reaction emoji (private.reaction_emoji) (reactions insert trigger).'),
  ('SP107', 'A reply must quote a message of the same conversation (message insert trigger).');

-- =============================================================================================
-- API functions (security invoker: RLS and the triggers above decide)
-- =============================================================================================

-- send_message gains reply_to_id; the three-argument calls keep working (it defaults to null).
drop function public.send_message(uuid, text, uuid);
create function public.send_message(recipient_id uuid, body text, message_id uuid, reply_to_id uuid default null)
returns public.messages
language plpgsql
security invoker
set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  pair_trainer uuid;
  pair_trainee uuid;
  conversation uuid;
  msg public.messages;
begin
  if me is null then
    raise exception 'sign in to send messages' using errcode = '42501';
  end if;
  if send_message.message_id is null or send_message.recipient_id is null then
    raise exception 'recipient_id and message_id are required' using errcode = 'SP009';
  end if;

  -- A retry of a message that is already stored returns it unchanged. The lock makes a retry
  -- that races its original wait for it (and then find it) instead of failing on the key.
  perform pg_advisory_xact_lock(hashtextextended(send_message.message_id::text, 0));
  select * into msg from public.messages m where m.id = send_message.message_id;
  if found then
    if msg.sender_id = me and exists (
      select 1 from public.conversations c
      where c.id = msg.conversation_id and send_message.recipient_id in (c.trainer_id, c.trainee_id)
    ) then
      return msg;
    end if;
    raise exception 'message id % is already used by another message', send_message.message_id
      using errcode = 'SP007';
  end if;

  -- The pair, trainer first: the caller's role says which side the recipient is on.
  select case l.role when 'trainer' then me when 'trainee' then send_message.recipient_id end,
         case l.role when 'trainer' then send_message.recipient_id when 'trainee' then me end
    into pair_trainer, pair_trainee
  from private.my_link l;

  select c.id into conversation from public.conversations c
  where c.trainer_id = pair_trainer and c.trainee_id = pair_trainee;
  if not found then
    -- Only a linked pair starts a conversation, with its first message.
    if not exists (
      select 1 from private.my_trainee_links l
      where l.trainer_id = pair_trainer and l.trainee_id = pair_trainee
    ) then
      perform private.refuse_not_linked();
    end if;
    -- Two first messages at once: one insert wins, the other waits for it and finds its row.
    insert into public.conversations (trainer_id, trainee_id)
    values (pair_trainer, pair_trainee)
    on conflict (trainer_id, trainee_id) do nothing;
    select c.id into conversation from public.conversations c
    where c.trainer_id = pair_trainer and c.trainee_id = pair_trainee;
  end if;

  -- The body, the reply, the archive, the session and the rate limit are the insert trigger's to check.
  insert into public.messages (id, conversation_id, sender_id, body, reply_to_id)
  values (send_message.message_id, conversation, me, send_message.body, send_message.reply_to_id)
  returning * into msg;
  return msg;
end;
$$;
comment on function public.send_message(uuid, text, uuid, uuid) is 'Sends a message to my trainer or trainee, creating our conversation on the first message; reply_to_id quotes a message of that conversation. Idempotent on message_id (a retry returns the stored message).';

create function public.edit_message(message_id uuid, body text) returns public.messages
language plpgsql
security invoker
set search_path = ''
as $$
declare
  msg public.messages;
begin
  update public.messages m
  set body = edit_message.body
  where m.id = edit_message.message_id
  returning * into msg;
  if not found then
    perform private.refuse_message_not_found(edit_message.message_id);
  end if;
  return msg;
end;
$$;
comment on function public.edit_message(uuid, text) is 'Changes the text of my message within 15 minutes of sending (the same rules as sending); it is marked edited and the earlier text is kept for admins. Returns the message.';

create function public.delete_message(message_id uuid) returns public.messages
language plpgsql
security invoker
set search_path = ''
as $$
declare
  msg public.messages;
begin
  -- clock_timestamp(): a second delete in the same transaction is still a change, refused as such.
  update public.messages m
  set deleted_at = clock_timestamp()
  where m.id = delete_message.message_id
  returning * into msg;
  if not found then
    perform private.refuse_message_not_found(delete_message.message_id);
  end if;
  return msg;
end;
$$;
comment on function public.delete_message(uuid) is 'Deletes my message for everyone: its text leaves the API (the row stays, marked deleted, so history has no gaps). Returns the message as everyone now sees it.';

create function public.toggle_reaction(message_id uuid, emoji text) returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  conversation uuid;
begin
  select m.conversation_id into conversation from public.messages m where m.id = toggle_reaction.message_id;
  if not found then
    perform private.refuse_message_not_found(toggle_reaction.message_id);
  end if;
  delete from public.message_reactions r
  where r.message_id = toggle_reaction.message_id
    and r.user_id = (select auth.uid())
    and r.emoji = private.canonical_emoji(toggle_reaction.emoji);
  if not found then
    insert into public.message_reactions (message_id, emoji)
    values (toggle_reaction.message_id, toggle_reaction.emoji);
  end if;
  return jsonb_build_object(
    'conversation_id', conversation,
    'message_id', toggle_reaction.message_id,
    'reactions', private.reaction_summary(toggle_reaction.message_id)
  );
end;
$$;
comment on function public.toggle_reaction(uuid, text) is 'Adds my reaction with this emoji to the message, or takes it back if I had it. Returns the message''s reactions: {conversation_id, message_id, reactions: [{emoji, count, user_ids}]}.';

revoke execute on function public.send_message(uuid, text, uuid, uuid), public.edit_message(uuid, text),
  public.delete_message(uuid), public.toggle_reaction(uuid, text)
  from public, anon;
grant execute on function public.send_message(uuid, text, uuid, uuid), public.edit_message(uuid, text),
  public.delete_message(uuid), public.toggle_reaction(uuid, text)
  to authenticated;

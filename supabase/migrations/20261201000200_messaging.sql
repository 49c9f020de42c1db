-- Conversations and messages: one conversation per trainer–trainee pair, created by the first
-- message; aggregates (last message, preview, unread counts, each user's unread total) kept by
-- triggers; archival on unlink or deletion decided here, in the same transaction, never by app code.
--
-- Which layer owns which rule. Each refusal is raised from one place; the SQLSTATEs are listed in
-- private.error_codes (profiles migration).
--   send_message (API)            required arguments (SP009); idempotency on message_id: a retry
--                                 returns the stored row, another message's id is refused (SP007);
--                                 the pair lookup (SP001, private.refuse_not_linked) and creating the
--                                 pair's conversation on its first message. Nothing about the body.
--   messages insert trigger       every rule about the message itself, for send_message and direct
--   (handle_message_before_insert) inserts alike: live session (SP006, private.assert_live_session),
--                                 sender is the caller, body trimmed and checked (blank SP003 by
--                                 private.is_blank, too long SP004 by private.message_body_max_length),
--                                 the sender takes part (SP001), rate limit (SP005), archived (SP002);
--                                 then seq, server time and the conversation's aggregates.
--   messages check constraints    the same body rules through the same functions, as the last guard
--                                 when triggers are bypassed (23514).
--   messages update triggers      read receipts: live session (SP006), read_at only from unread to
--                                 read, the unread counts; mark_conversation_read adds not found (SP008).
--   conversations trigger         each user's unread total (private.unread_totals), by delta, from
--                                 every change of a conversation's unread counts or participants.
--   profiles triggers             archive on unlink or deletion, restore on re-link.

-- =============================================================================================
-- Helpers
-- =============================================================================================

-- The length limit of a message body, in characters (code points, as char_length counts them).
create function private.message_body_max_length() returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 2000
$$;
comment on function private.message_body_max_length() is 'The most characters (code points) a message body may have: 2000.';

create function private.message_preview(body text) returns text
language sql
immutable
set search_path = ''
as $$
  select left(regexp_replace(body, '\s+', ' ', 'g'), 140)
$$;
comment on function private.message_preview(text) is 'One-line, 140-character preview of a (trimmed) message body.';

-- =============================================================================================
-- Tables
-- =============================================================================================
create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  trainer_id uuid references public.profiles (id) on delete set null,
  trainee_id uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  last_message_id uuid,
  last_message_at timestamptz,
  last_message_preview text,
  last_message_sender_id uuid references public.profiles (id) on delete set null,
  last_message_seq bigint not null default 0,
  trainer_unread_count integer not null default 0,
  trainee_unread_count integer not null default 0,
  archived_at timestamptz,
  archived_reason text,
  constraint conversations_pair_key unique (trainer_id, trainee_id),
  constraint conversations_unread_not_negative check (trainer_unread_count >= 0 and trainee_unread_count >= 0),
  constraint conversations_archived_reason_known
    check (archived_reason in ('unlinked', 'trainee_deleted', 'trainer_deleted')),
  constraint conversations_archived_has_reason check ((archived_at is null) = (archived_reason is null))
);
comment on table public.conversations is 'One direct-message thread per trainer–trainee pair. Created by the first message; kept (archived) when the pair is unlinked or a user is deleted.';
comment on column public.conversations.id is 'Conversation id; realtime topic conversation:<id>.';
comment on column public.conversations.trainer_id is 'The trainer. Null once that user is deleted (the conversation is archived, history kept).';
comment on column public.conversations.trainee_id is 'The trainee. Null once that user is deleted (the conversation is archived, history kept).';
comment on column public.conversations.created_at is 'When the first message created the conversation.';
comment on column public.conversations.last_message_id is 'The newest message (maintained by trigger).';
comment on column public.conversations.last_message_at is 'Time of the newest message; the conversation list is sorted by it (maintained by trigger).';
comment on column public.conversations.last_message_preview is 'First 140 characters of the newest message, on one line (maintained by trigger).';
comment on column public.conversations.last_message_sender_id is 'Who sent the newest message (maintained by trigger).';
comment on column public.conversations.last_message_seq is 'Sequence number of the newest message; messages are numbered 1, 2, 3… per conversation.';
comment on column public.conversations.trainer_unread_count is 'Messages the trainer has not read yet (maintained by trigger).';
comment on column public.conversations.trainee_unread_count is 'Messages the trainee has not read yet (maintained by trigger).';
comment on column public.conversations.archived_at is 'When the conversation became read-only (trainee unlinked or a user deleted). Cleared if the same pair is linked again.';
comment on column public.conversations.archived_reason is 'Why it is archived: unlinked, trainee_deleted or trainer_deleted.';

-- The conversation list: one index range per user, newest first (keyset pagination).
create index conversations_trainer_list_idx on public.conversations (trainer_id, last_message_at desc, id desc);
create index conversations_trainee_list_idx on public.conversations (trainee_id, last_message_at desc, id desc);
create index conversations_last_message_sender_id_idx on public.conversations (last_message_sender_id);

create table public.messages (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  seq bigint not null,
  sender_id uuid references public.profiles (id) on delete set null,
  body text not null,
  created_at timestamptz not null default now(),
  read_at timestamptz,
  constraint messages_conversation_seq_key unique (conversation_id, seq),
  constraint messages_body_not_blank check (not private.is_blank(body)),
  constraint messages_body_max_length check (char_length(body) <= private.message_body_max_length())
);
comment on table public.messages is 'Direct messages. Sent through send_message(); body, sender and time never change after sending.';
comment on column public.messages.id is 'Message id, generated by the sending device so that retries are idempotent.';
comment on column public.messages.conversation_id is 'The conversation the message belongs to.';
comment on column public.messages.seq is 'Position in the conversation (1, 2, 3…), assigned by the database; total order, gap-free catch-up.';
comment on column public.messages.sender_id is 'Who sent it. Null once that user is deleted.';
comment on column public.messages.body is 'The text, without blank characters at either end (private.trim_blank), not blank, at most 2000 characters counted as code points (char_length).';
comment on column public.messages.created_at is 'Server time the message was stored.';
comment on column public.messages.read_at is 'When the recipient read it (✓✓); null while unread (✓).';

create index messages_sender_recent_idx on public.messages (sender_id, created_at desc);
create index messages_unread_idx on public.messages (conversation_id, seq) where read_at is null;

create table private.unread_totals (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  total integer not null default 0,
  constraint unread_totals_not_negative check (total >= 0)
);
comment on table private.unread_totals is 'Each user''s unread total (the Messages badge, inbox events, pushes): the sum of their unread counts over all their conversations, kept by the conversations trigger so that no read adds them up. Each user reads only their own row.';
comment on column private.unread_totals.user_id is 'Whose total it is. A user with no row has nothing unread.';
comment on column private.unread_totals.total is 'Messages this user has not read, over all conversations (maintained by trigger).';

-- Is the caller's auth session still live? Dashboard impersonation tokens carry a session_id that
-- is not a row of auth.sessions. It only ever answers about the caller, and reads auth.sessions with
-- its owner's rights: Supabase Auth owns that table and enables RLS on it with no policy, so this
-- works because the migration role (postgres) has SELECT on it and BYPASSRLS on a hosted project, as
-- the hosted-roles test leg checks (without BYPASSRLS every write would be refused as read-only).
create view private.my_session as
  select exists (
    select 1
    from auth.sessions s
    where s.id = nullif((select auth.jwt()) ->> 'session_id', '')::uuid
      and s.user_id = (select auth.uid())
      and (s.not_after is null or s.not_after > now())
  ) as is_live;
comment on view private.my_session is 'Whether the caller''s JWT session_id is a live auth session (false for dashboard impersonation).';
grant select on private.my_session to authenticated;

-- =============================================================================================
-- Grants
-- =============================================================================================
revoke all on public.conversations from anon, authenticated;
grant select on public.conversations to authenticated;
grant insert (trainer_id, trainee_id) on public.conversations to authenticated;

revoke all on public.messages from anon, authenticated;
grant select on public.messages to authenticated;
grant insert (id, conversation_id, sender_id, body) on public.messages to authenticated;
grant update (read_at) on public.messages to authenticated;

revoke all on private.unread_totals from public, anon, authenticated, service_role;
grant select on private.unread_totals to authenticated;

-- The body rules run inside check constraints, as the writing user.
revoke execute on function private.message_body_max_length(), private.message_preview(text)
  from public, anon, authenticated, service_role;
grant execute on function private.message_body_max_length() to authenticated, service_role;

-- =============================================================================================
-- Trigger functions
-- =============================================================================================

-- Refuses writes from signed-in API callers whose session is not live (admin impersonation).
create function private.assert_live_session() returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if (select auth.role()) = 'authenticated' and not (select s.is_live from private.my_session s) then
    raise exception 'this session is read-only: it is not a signed-in session of this user (dashboard impersonation?)'
      using errcode = 'SP006', hint = 'Sign in as the user to send messages or mark them read.';
  end if;
end;
$$;
comment on function private.assert_live_session() is 'Raises SP006 for API writes from a JWT whose session_id is not a live auth session. Definer to read auth.sessions.';

-- Before a message is stored: every rule about the message itself (see the top of this file), then
-- one update of the conversation that numbers the message and keeps its aggregates (last message,
-- preview, the recipient's unread count). A failed insert rolls that update back with it.
-- Definer: senders cannot update conversations.
create function private.handle_message_before_insert() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  from_api boolean := (select auth.role()) = 'authenticated';
  conv public.conversations;
  recent integer;
begin
  -- Who is sending: a live session, as themselves; the server stamps time and read state.
  if from_api then
    perform private.assert_live_session();
    new.sender_id := coalesce(new.sender_id, (select auth.uid()));
    if new.sender_id is distinct from (select auth.uid()) then
      raise exception 'messages can only be sent as yourself' using errcode = '42501';
    end if;
    new.read_at := null;
    new.created_at := null;
  end if;

  -- The body.
  new.body := private.trim_blank(new.body);
  if new.body is null or private.is_blank(new.body) then
    raise exception 'a message cannot be empty' using errcode = 'SP003';
  end if;
  if char_length(new.body) > private.message_body_max_length() then
    raise exception 'a message can be at most % characters (this one has %)',
      private.message_body_max_length(), char_length(new.body)
      using errcode = 'SP004';
  end if;

  -- The conversation: the sender takes part in it.
  select * into conv from public.conversations c where c.id = new.conversation_id;
  if not found
     or (new.sender_id is distinct from conv.trainer_id and new.sender_id is distinct from conv.trainee_id) then
    perform private.refuse_not_linked();
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
comment on function private.handle_message_before_insert() is 'Validates a new message (session, sender, body, conversation, rate limit, archive), assigns seq and server time, and updates the conversation aggregates. Definer: senders cannot update conversations.';

-- Messages never change except read_at, once, from unread to read.
create function private.handle_message_guard() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.id is distinct from old.id or new.conversation_id is distinct from old.conversation_id
     or new.seq is distinct from old.seq or new.sender_id is distinct from old.sender_id
     or new.body is distinct from old.body or new.created_at is distinct from old.created_at then
    -- Deleting a user nulls sender_id (on delete set null); that is the one allowed change.
    if not (new.sender_id is null and old.sender_id is not null
            and (new.id, new.conversation_id, new.seq, new.body, new.created_at)
                = (old.id, old.conversation_id, old.seq, old.body, old.created_at)) then
      raise exception 'a message cannot be edited after it is sent' using errcode = '42501';
    end if;
  end if;
  if (select auth.role()) = 'authenticated' then
    if old.read_at is not null and new.read_at is distinct from old.read_at then
      raise exception 'a read message cannot be marked unread' using errcode = '42501';
    end if;
    if old.read_at is null and new.read_at is not null then
      new.read_at := now();
    end if;
  end if;
  return new;
end;
$$;
comment on function private.handle_message_guard() is 'Keeps messages immutable; read_at may only go from unread to read, stamped with server time.';

create function private.handle_messages_before_update() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.assert_live_session();
  return null;
end;
$$;
comment on function private.handle_messages_before_update() is 'Refuses read receipts from impersonated sessions, once per statement.';

-- Read receipts lower the reader's unread count, once per statement for all rows it read.
create function private.handle_messages_after_update() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.conversations c
  set trainer_unread_count = greatest(0, c.trainer_unread_count - r.for_trainer),
      trainee_unread_count = greatest(0, c.trainee_unread_count - r.for_trainee)
  from (
    select n.conversation_id,
      count(*) filter (where n.sender_id is distinct from cv.trainer_id) as for_trainer,
      count(*) filter (where n.sender_id is distinct from cv.trainee_id) as for_trainee
    from new_rows n
    join old_rows o on o.id = n.id
    join public.conversations cv on cv.id = n.conversation_id
    where o.read_at is null and n.read_at is not null
    group by n.conversation_id
  ) r
  where c.id = r.conversation_id;
  return null;
end;
$$;
comment on function private.handle_messages_after_update() is 'Maintains unread counts when messages are marked read. Definer: readers cannot update conversations.';

-- Each user's unread total, kept in one place: whatever changes a conversation's unread counts or
-- participants (a message, a read receipt, a deleted user, an admin's edit) moves the difference
-- into private.unread_totals, in the same statement. Before, not after, the row is written: a
-- statement that changes several conversations has every total final by the time the AFTER
-- triggers (the inbox events) read it. Definer: the totals are written by no API role.
create function private.handle_conversation_unread_totals() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  change record;
begin
  if tg_op = 'UPDATE'
     and (new.trainer_id, new.trainee_id, new.trainer_unread_count, new.trainee_unread_count)
         is not distinct from (old.trainer_id, old.trainee_id, old.trainer_unread_count, old.trainee_unread_count) then
    return new;
  end if;
  -- What the old row counted for its participants comes off, what the new row counts goes on.
  for change in
    select d.user_id, sum(d.delta)::integer as delta
    from (values
      (old.trainer_id, -old.trainer_unread_count),
      (old.trainee_id, -old.trainee_unread_count),
      (new.trainer_id, new.trainer_unread_count),
      (new.trainee_id, new.trainee_unread_count)
    ) as d (user_id, delta)
    where d.user_id is not null
    group by d.user_id
    having sum(d.delta) <> 0
  loop
    if change.delta > 0 then
      insert into private.unread_totals as t (user_id, total)
      values (change.user_id, change.delta)
      on conflict (user_id) do update set total = t.total + excluded.total;
    else
      -- A user being deleted keeps no total: their row goes with their profile (on delete cascade),
      -- and updating it first would fail that row's foreign key check.
      update private.unread_totals t
      set total = t.total + change.delta
      where t.user_id = change.user_id
        and exists (select 1 from public.profiles p where p.id = change.user_id);
    end if;
  end loop;
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;
comment on function private.handle_conversation_unread_totals() is 'Moves each change of a conversation''s unread counts or participants into the participants'' unread totals (private.unread_totals). Definer: no API role writes the totals.';

-- Unlinking archives the pair's conversation; linking the same pair again restores it.
create function private.handle_profile_link_changed() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.trainer_id is not null then
    update public.conversations c
    set archived_at = now(), archived_reason = 'unlinked'
    where c.trainer_id = old.trainer_id and c.trainee_id = new.id and c.archived_at is null;
  end if;
  if new.trainer_id is not null then
    update public.conversations c
    set archived_at = null, archived_reason = null
    where c.trainer_id = new.trainer_id and c.trainee_id = new.id and c.archived_reason = 'unlinked';
  end if;
  return null;
end;
$$;
comment on function private.handle_profile_link_changed() is 'Archives (or restores) a trainee''s conversation when their trainer link changes, in the same transaction.';

create function private.handle_profile_deleted() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.conversations c
  set archived_at = now(),
      archived_reason = case when c.trainee_id = old.id then 'trainee_deleted' else 'trainer_deleted' end
  where (c.trainee_id = old.id or c.trainer_id = old.id) and c.archived_at is null;
  return old;
end;
$$;
comment on function private.handle_profile_deleted() is 'Archives a deleted user''s conversations before the profile goes; messages are kept.';

-- Am I a participant of this conversation? One primary-key lookup per message row. Written in
-- plpgsql so it is not inlined: inlined, the planner turns the policy into a hashed scan of all of
-- the caller's conversations. Invoker: the conversations policy applies inside it.
create function private.is_conversation_participant(conversation_id uuid) returns boolean
language plpgsql
stable
set search_path = ''
as $$
begin
  return exists (
    select 1 from public.conversations c
    where c.id = is_conversation_participant.conversation_id
      and (c.trainer_id = (select auth.uid()) or c.trainee_id = (select auth.uid()))
  );
end;
$$;
comment on function private.is_conversation_participant(uuid) is 'Whether the caller takes part in the conversation (for the messages policies).';
revoke execute on function private.is_conversation_participant(uuid) from public, anon, service_role;
grant execute on function private.is_conversation_participant(uuid) to authenticated;

revoke execute on function private.assert_live_session(),
  private.handle_message_before_insert(), private.handle_message_guard(),
  private.handle_messages_before_update(), private.handle_messages_after_update(),
  private.handle_conversation_unread_totals(),
  private.handle_profile_link_changed(), private.handle_profile_deleted()
  from public, anon, authenticated, service_role;

-- =============================================================================================
-- Triggers
-- =============================================================================================
create trigger messages_before_insert_validate
  before insert on public.messages
  for each row execute function private.handle_message_before_insert();

create trigger messages_before_update_guard
  before update on public.messages
  for each row execute function private.handle_message_guard();

create trigger messages_before_update_check_session
  before update on public.messages
  for each statement execute function private.handle_messages_before_update();

create trigger messages_after_update_count_reads
  after update on public.messages
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.handle_messages_after_update();

create trigger conversations_before_write_unread_totals
  before insert or update or delete on public.conversations
  for each row execute function private.handle_conversation_unread_totals();

create trigger profiles_after_update_archive_on_unlink
  after update of trainer_id on public.profiles
  for each row when (old.trainer_id is distinct from new.trainer_id)
  execute function private.handle_profile_link_changed();

create trigger profiles_before_delete_archive
  before delete on public.profiles
  for each row execute function private.handle_profile_deleted();

-- =============================================================================================
-- Row-level security
-- =============================================================================================
alter table public.conversations enable row level security;
alter table public.messages enable row level security;
alter table private.unread_totals enable row level security;

create policy "Participants can see their conversations"
  on public.conversations for select
  to authenticated
  using (trainer_id = (select auth.uid()) or trainee_id = (select auth.uid()));

create policy "A linked trainer or trainee can start their conversation"
  on public.conversations for insert
  to authenticated
  with check (
    exists (
      select 1 from private.my_trainee_links l
      where l.trainer_id = conversations.trainer_id and l.trainee_id = conversations.trainee_id
    )
  );

create policy "Participants can read messages of their conversations"
  on public.messages for select
  to authenticated
  using (private.is_conversation_participant(conversation_id));

create policy "Participants can send messages in their active conversations"
  on public.messages for insert
  to authenticated
  with check (
    sender_id = (select auth.uid())
    and exists (
      select 1 from public.conversations c
      where c.id = messages.conversation_id
        and (c.trainer_id = (select auth.uid()) or c.trainee_id = (select auth.uid()))
        and c.archived_at is null
    )
  );

create policy "Recipients can mark messages they received as read"
  on public.messages for update
  to authenticated
  using (
    sender_id is distinct from (select auth.uid())
    and private.is_conversation_participant(conversation_id)
  )
  with check (sender_id is distinct from (select auth.uid()));

create policy "Users can read their own unread total"
  on private.unread_totals for select
  to authenticated
  using (user_id = (select auth.uid()));

-- The profiles select policy lives here, not with profiles, because it needs conversations: the
-- other party of any of my conversations stays visible (name, avatar), even after an unlink.
create policy "Users can see themselves, their trainer, their trainees and past conversation partners"
  on public.profiles for select
  to authenticated
  using (
    id = (select auth.uid())
    or trainer_id = (select auth.uid())
    or id = (select l.trainer_id from private.my_link l)
    or exists (
      select 1 from public.conversations c
      where (c.trainer_id = profiles.id and c.trainee_id = (select auth.uid()))
         or (c.trainee_id = profiles.id and c.trainer_id = (select auth.uid()))
    )
  );

-- =============================================================================================
-- API functions (security invoker: RLS and the triggers above decide)
-- =============================================================================================
create function public.send_message(recipient_id uuid, body text, message_id uuid)
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

  -- The body, the archive, the session and the rate limit are the insert trigger's to check.
  insert into public.messages (id, conversation_id, sender_id, body)
  values (send_message.message_id, conversation, me, send_message.body)
  returning * into msg;
  return msg;
end;
$$;
comment on function public.send_message(uuid, text, uuid) is 'Sends a message to my trainer or trainee, creating our conversation on the first message. Idempotent on message_id (a retry returns the stored message).';

create function public.mark_conversation_read(conversation_id uuid) returns integer
language plpgsql
security invoker
set search_path = ''
as $$
declare
  marked integer;
begin
  if not exists (select 1 from public.conversations c where c.id = mark_conversation_read.conversation_id) then
    raise exception 'conversation % not found', mark_conversation_read.conversation_id using errcode = 'SP008';
  end if;
  update public.messages m
  set read_at = now()
  where m.conversation_id = mark_conversation_read.conversation_id
    and m.read_at is null
    and m.sender_id is distinct from (select auth.uid());
  get diagnostics marked = row_count;
  return marked;
end;
$$;
comment on function public.mark_conversation_read(uuid) is 'Marks every message I received in the conversation as read; returns how many were marked.';

create function public.list_conversations(
  page_size integer default 30,
  before_last_message_at timestamptz default null,
  before_id uuid default null
)
returns table (
  id uuid,
  other_party_id uuid,
  other_party_name text,
  other_party_avatar_url text,
  other_party_role public.user_role,
  last_message_at timestamptz,
  last_message_preview text,
  last_message_sender_id uuid,
  last_message_seq bigint,
  unread_count integer,
  archived_at timestamptz,
  archived_reason text
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
-- plpgsql, not sql: a sql function with its own search_path is never inlined and is planned
-- again on every call, while plpgsql keeps its plan for the session.
#variable_conflict use_column
begin
  return query
  with page as (
    (select c.*, c.trainee_id as other_id, c.trainer_unread_count as my_unread
     from public.conversations c
     where c.trainer_id = (select auth.uid())
       and (c.last_message_at, c.id) < (
         coalesce(list_conversations.before_last_message_at, 'infinity'::timestamptz),
         coalesce(list_conversations.before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))
     order by c.last_message_at desc, c.id desc
     limit least(greatest(list_conversations.page_size, 1), 100))
    union all
    (select c.*, c.trainer_id as other_id, c.trainee_unread_count as my_unread
     from public.conversations c
     where c.trainee_id = (select auth.uid())
       and (c.last_message_at, c.id) < (
         coalesce(list_conversations.before_last_message_at, 'infinity'::timestamptz),
         coalesce(list_conversations.before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))
     order by c.last_message_at desc, c.id desc
     limit least(greatest(list_conversations.page_size, 1), 100))
  )
  select p.id, p.other_id, o.display_name, o.avatar_url, o.role,
    p.last_message_at, p.last_message_preview, p.last_message_sender_id, p.last_message_seq,
    p.my_unread, p.archived_at, p.archived_reason
  from page p
  left join public.profiles o on o.id = p.other_id
  order by p.last_message_at desc, p.id desc
  limit least(greatest(list_conversations.page_size, 1), 100);
end;
$$;
comment on function public.list_conversations(integer, timestamptz, uuid) is 'My conversations, newest first, one page (max 100) after the keyset cursor (last_message_at, id): the other party, preview, time and my unread count. One query whatever the number of conversations.';

create function public.list_messages(
  conversation_id uuid,
  before_seq bigint default null,
  page_size integer default 20
)
returns setof public.messages
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  return query
  select m.*
  from public.messages m
  where m.conversation_id = list_messages.conversation_id
    and m.seq < (select coalesce(list_messages.before_seq, 9223372036854775807))
  order by m.seq desc
  limit least(greatest(list_messages.page_size, 1), 100);
end;
$$;
comment on function public.list_messages(uuid, bigint, integer) is 'One page of a conversation''s history, newest first, before the seq cursor (20 by default).';

create function public.unread_total() returns integer
language plpgsql
stable
security invoker
set search_path = ''
as $$
-- plpgsql, not sql: its plan is kept for the session (see list_conversations).
begin
  return coalesce(
    (select t.total from private.unread_totals t where t.user_id = (select auth.uid())),
    0
  );
end;
$$;
comment on function public.unread_total() is 'How many messages I have not read, over all my conversations (the Messages badge), as the triggers keep it in private.unread_totals.';

revoke execute on function public.send_message(uuid, text, uuid), public.mark_conversation_read(uuid),
  public.list_conversations(integer, timestamptz, uuid), public.list_messages(uuid, bigint, integer),
  public.unread_total()
  from public, anon;
grant execute on function public.send_message(uuid, text, uuid), public.mark_conversation_read(uuid),
  public.list_conversations(integer, timestamptz, uuid), public.list_messages(uuid, bigint, integer),
  public.unread_total()
  to authenticated;

-- Attachments, broadcasts and the one internal send path.
--
-- Files live in Supabase Storage (buckets attachments and avatars, declared in supabase/config.toml);
-- a message's files are rows of public.message_attachments pointing at objects its sender uploaded
-- before sending, into <sender id>/<client message id>/<file> (a broadcast's into
-- <trainer id>/<broadcast id>/<file>, one upload for every copy). Type and size come from
-- storage.objects, never from the client.
--
-- Which layer owns which rule (the codes are in private.error_codes):
--   send_message, broadcast_message  the caller is the sender; arguments present (SP009); a
--   (API, definer)                   broadcast only by a trainer (SP301, private.refuse_not_trainer),
--                                    at most private.broadcast_max_recipients() (SP303), its id not
--                                    another trainer's (SP302). Everything else: private.send_as.
--   private.send_as (no API role)    THE send path, also for scheduled sends (no JWT): idempotency
--                                    on the message id (SP007), the pair and its link (SP001, or the
--                                    outcome not_linked for a broadcast), conversations created on
--                                    the first message, the attachments (SP201–SP203 by
--                                    private.checked_attachments), the rate limit once per send
--                                    for a broadcast or a send without a caller (SP005), then one
--                                    insert of attachment rows and one of messages.
--   messages insert trigger          as before for every row (session SP006, sender, body SP003/SP004,
--   (handle_message_before_insert)   participant, reply, archive SP002, seq and time), except that a
--                                    message with attachments may have an empty body and that rows of
--                                    a broadcast skip the per-message rate limit (send_as checked the
--                                    broadcast once; broadcast_id is not writable by any API role).
--   storage.objects policies         who may upload, overwrite, delete and read which object.

-- =============================================================================================
-- Helpers
-- =============================================================================================

create function private.attachment_max_count() returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 10
$$;
comment on function private.attachment_max_count() is 'The most files one message may carry: 10.';

create function private.broadcast_max_recipients() returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 5000
$$;
comment on function private.broadcast_max_recipients() is 'The most recipients one broadcast may have: 5000.';

-- What the list and a push say for a message without text: its first file's kind.
create function private.attachment_label(kind text) returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case kind
    when 'image' then '📷 Photo'
    when 'video' then '🎥 Video'
    when 'audio' then '🎤 Voice message'
    else '📎 File'
  end
$$;
comment on function private.attachment_label(text) is 'The preview of a message without text, from its first attachment''s kind: 📷 Photo, 🎥 Video, 🎤 Voice message, 📎 File.';

create function private.attachment_kind(mime_type text) returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select case split_part(lower(coalesce(mime_type, '')), '/', 1)
    when 'image' then 'image'
    when 'video' then 'video'
    when 'audio' then 'audio'
    else 'file'
  end
$$;
comment on function private.attachment_kind(text) is 'image, video, audio or file, from a stored object''s MIME type.';

-- =============================================================================================
-- Tables
-- =============================================================================================

-- The buckets' rows, so that the policies below name something on every database; their limits
-- (size, MIME types) are supabase/config.toml's, applied by `supabase start`, `supabase seed
-- buckets` and localbase.
insert into storage.buckets (id, name, public)
values ('attachments', 'attachments', false), ('avatars', 'avatars', true)
on conflict (id) do nothing;

create table public.broadcasts (
  id uuid primary key,
  trainer_id uuid not null references public.profiles (id) on delete cascade,
  body text not null,
  attachments jsonb not null default '[]'::jsonb,
  recipient_count integer not null,
  created_at timestamptz not null default now(),
  constraint broadcasts_recipient_count_positive check (recipient_count > 0)
);
comment on table public.broadcasts is 'A trainer''s message sent to many trainees at once, each as an ordinary 1:1 message (messages.broadcast_id). Written by broadcast_message(); read with broadcast_summaries().';
comment on column public.broadcasts.id is 'The broadcast id chosen by the trainer''s device, so that a retry sends nothing twice.';
comment on column public.broadcasts.trainer_id is 'The trainer who sent it.';
comment on column public.broadcasts.body is 'The text as written, {first_name} not yet filled in.';
comment on column public.broadcasts.attachments is 'The attachment items as given (paths under <trainer id>/<broadcast id>/), one upload for every copy.';
comment on column public.broadcasts.recipient_count is 'How many trainees were picked (sent, skipped or already sent).';
comment on column public.broadcasts.created_at is 'When it was first sent.';

create index broadcasts_trainer_list_idx on public.broadcasts (trainer_id, created_at desc, id desc);

alter table public.messages
  add column broadcast_id uuid references public.broadcasts (id) on delete set null,
  add column attachment_count smallint not null default 0;
comment on column public.messages.broadcast_id is 'The broadcast this message is a copy of; null for a message sent alone. Set by the send path only.';
comment on column public.messages.attachment_count is 'How many files the message was sent with (its rows are public.message_attachments; they leave when the message is deleted). Set by the database.';

-- A message may have files and no text; without files the sending rules stand.
alter table public.messages
  drop constraint messages_body_not_blank,
  add constraint messages_body_not_blank
    check (deleted_at is not null or attachment_count > 0 or not private.is_blank(body)),
  add constraint messages_attachment_count_range
    check (attachment_count between 0 and private.attachment_max_count());

create index messages_broadcast_id_idx on public.messages (broadcast_id) where broadcast_id is not null;

-- Attachment rows are written before their message in the same transaction (the FK is checked at
-- commit), so the message's insert trigger and its message_created broadcast already see them.
create table public.message_attachments (
  id uuid primary key default gen_random_uuid(),
  message_id uuid not null references public.messages (id) on delete cascade deferrable initially deferred,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  uploader_id uuid references public.profiles (id) on delete set null,
  path text not null,
  kind text not null,
  mime_type text not null,
  size_bytes bigint not null,
  original_name text not null,
  meta jsonb not null default '{}'::jsonb,
  position smallint not null,
  created_at timestamptz not null default now(),
  constraint message_attachments_position_key unique (message_id, position),
  constraint message_attachments_kind_known check (kind in ('image', 'video', 'audio', 'file')),
  constraint message_attachments_size_not_negative check (size_bytes >= 0),
  constraint message_attachments_meta_object check (jsonb_typeof(meta) = 'object')
);
comment on table public.message_attachments is 'The files of a message (photos, videos, voice notes, documents): objects of the Storage bucket attachments, uploaded by the sender before sending. Written only by the send path; read by the conversation''s participants.';
comment on column public.message_attachments.id is 'Attachment id.';
comment on column public.message_attachments.message_id is 'The message carrying the file.';
comment on column public.message_attachments.conversation_id is 'The message''s conversation (for access checks).';
comment on column public.message_attachments.uploader_id is 'Who uploaded the file (the sender).';
comment on column public.message_attachments.path is 'The object''s name in the bucket attachments: <uploader id>/<message or broadcast id>/<file>.';
comment on column public.message_attachments.kind is 'image, video, audio or file, from the stored object''s MIME type.';
comment on column public.message_attachments.mime_type is 'The MIME type Storage recorded for the object (not the client''s word).';
comment on column public.message_attachments.size_bytes is 'The size Storage recorded for the object, in bytes.';
comment on column public.message_attachments.original_name is 'The file''s name on the sender''s device (the object key is an ASCII version of it).';
comment on column public.message_attachments.meta is 'What the device measured: width, height (pixels), duration_ms, poster_path (a video''s poster frame, an object in the same folder).';
comment on column public.message_attachments.position is 'Order within the message, from 0.';
comment on column public.message_attachments.created_at is 'When it was attached (sent).';

create index message_attachments_path_idx on public.message_attachments (path);
create index message_attachments_poster_path_idx on public.message_attachments ((meta ->> 'poster_path'))
  where meta ? 'poster_path';
create index message_attachments_conversation_id_idx on public.message_attachments (conversation_id);
create index message_attachments_uploader_id_idx on public.message_attachments (uploader_id);

alter table public.profiles add column avatar_path text;
comment on column public.profiles.avatar_path is 'The profile photo: an object of the public bucket avatars in the owner''s folder, <user id>/<file>; null shows initials.';
alter table public.profiles add constraint profiles_avatar_path_own_folder
  check (avatar_path is null or (split_part(avatar_path, '/', 1) = id::text and avatar_path ~ '^[^/]+/[^/]+$'));

-- =============================================================================================
-- Grants
-- =============================================================================================
revoke all on public.message_attachments from anon, authenticated;
grant select on public.message_attachments to authenticated;

revoke all on public.broadcasts from anon, authenticated;
grant select on public.broadcasts to authenticated;

grant update (avatar_path) on public.profiles to authenticated;

revoke execute on function private.attachment_max_count(), private.broadcast_max_recipients(),
  private.attachment_label(text), private.attachment_kind(text)
  from public, anon, authenticated, service_role;
-- The check constraints run as the writing user.
grant execute on function private.attachment_max_count() to authenticated, service_role;

-- =============================================================================================
-- Refusals raised from more than one path (each code is raised in one place)
-- =============================================================================================
create function private.refuse_not_trainer() returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'only trainers can do this' using errcode = 'SP301';
end;
$$;
comment on function private.refuse_not_trainer() is 'Raises SP301: broadcasts, scheduled messages and saved replies are for trainers only.';

create function private.refuse_sending_too_fast(resumes_at timestamptz) returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'you are sending too fast: at most 30 messages per minute'
    using errcode = 'SP005',
      hint = format('Sending works again in %s seconds (public.seconds_until_sending() tells how long).',
        ceil(extract(epoch from resumes_at - clock_timestamp()))::integer);
end;
$$;
comment on function private.refuse_sending_too_fast(timestamptz) is 'Raises SP005 (the rate limit), saying when sending works again.';

create function private.refuse_message_id_taken(message_id uuid) returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'message id % is already used by another message', message_id using errcode = 'SP007';
end;
$$;
comment on function private.refuse_message_id_taken(uuid) is 'Raises SP007: the client''s message id is already another message''s (or another scheduled message''s).';

create function private.refuse_missing_arguments(names text) returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception '% required', names using errcode = 'SP009';
end;
$$;
comment on function private.refuse_missing_arguments(text) is 'Raises SP009: a required argument of an API function is missing.';

-- Called by definer functions only (the send path, the insert trigger, the API functions).
revoke execute on function private.refuse_not_trainer(), private.refuse_sending_too_fast(timestamptz),
  private.refuse_missing_arguments(text), private.refuse_message_id_taken(uuid)
  from public, anon, authenticated, service_role;
-- schedule_message (invoker) and its trigger refuse as the caller.
grant execute on function private.refuse_not_trainer(), private.refuse_message_id_taken(uuid) to authenticated;

update private.error_codes
set meaning = 'The message id is already used by another message, or another scheduled message (private.refuse_message_id_taken: the send path, schedule_message).'
where code = 'SP007';

update private.error_codes
set meaning = 'A required argument is missing: recipient_id or message_id (send_message), recipient_ids or broadcast_id (broadcast_message), send_at (schedule_message) (private.refuse_missing_arguments).'
where code = 'SP009';

-- =============================================================================================
-- The rate limit, now counting sends (a broadcast is one send, however many copies)
-- =============================================================================================

-- The rule: at most 30 sends in any minute per sender, where a send is one message sent alone or
-- one broadcast (all its copies). this_send (a broadcast being sent again, or a message id) is
-- left out of the count. Invoker: the insert trigger and the send path ask it as their owner (a
-- scheduled send has no caller); seconds_until_sending asks it as the caller, whose own messages
-- RLS shows in full.
create function private.sending_resumes_at_for(sender uuid, this_send uuid default null) returns timestamptz
language sql
stable
set search_path = ''
as $$
  select r.resumes_at
  from (
    select min(m.created_at) + interval '1 minute' as resumes_at
    from public.messages m
    where m.sender_id = sending_resumes_at_for.sender
      and m.created_at > clock_timestamp() - interval '1 minute'
      and coalesce(m.broadcast_id, m.id) is distinct from sending_resumes_at_for.this_send
    group by coalesce(m.broadcast_id, m.id)
    order by 1 desc
    limit 1 offset 29
  ) r
  where r.resumes_at > clock_timestamp()
$$;
comment on function private.sending_resumes_at_for(uuid, uuid) is 'The rate limit: at most 30 sends per minute per sender, a broadcast counting as one send (all its copies). When the sender may send again, or null when they may send now; this_send is left out of the count.';

create or replace function private.sending_resumes_at() returns timestamptz
language sql
stable
set search_path = ''
as $$
  select private.sending_resumes_at_for((select auth.uid()))
$$;
comment on function private.sending_resumes_at() is 'The rate limit for the caller (private.sending_resumes_at_for): when they may send again, or null when they may send now.';

revoke execute on function private.sending_resumes_at_for(uuid, uuid) from public, anon, authenticated, service_role;
grant execute on function private.sending_resumes_at_for(uuid, uuid) to authenticated;

update private.error_codes
set meaning = 'Rate limit: at most 30 sends per minute per sender, a broadcast counting as one (private.sending_resumes_at_for; raised by private.refuse_sending_too_fast from the message insert trigger and the send path; public.seconds_until_sending() says how long to wait).'
where code = 'SP005';

-- =============================================================================================
-- Previews and the event payload
-- =============================================================================================

-- A message's preview: its text, or (no text) its first file's kind. Definer: the push claim and
-- the insert trigger read attachments regardless of the caller.
create function private.message_preview(body text, message_id uuid) returns text
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when coalesce(body, '') <> '' then private.message_preview(body)
    else coalesce(
      (select private.attachment_label(a.kind) from public.message_attachments a
       where a.message_id = message_preview.message_id order by a.position limit 1),
      '')
  end
$$;
comment on function private.message_preview(text, uuid) is 'The one-line preview of a message: its text (private.message_preview), or for a message without text its first file''s kind (private.attachment_label).';

-- The attachments as the API returns their rows.
create function private.message_attachments_json(message_id uuid) returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(to_jsonb(a) order by a.position), '[]'::jsonb)
  from public.message_attachments a
  where a.message_id = message_attachments_json.message_id
$$;
comment on function private.message_attachments_json(uuid) is 'A message''s attachment rows as a JSON array, in order (the message_created payload).';

revoke execute on function private.message_preview(text, uuid), private.message_attachments_json(uuid)
  from public, anon, authenticated, service_role;

create or replace function private.handle_message_broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object(
      'message', to_jsonb(new),
      'attachments', case when new.attachment_count > 0 then private.message_attachments_json(new.id) else '[]'::jsonb end
    ),
    'message_created',
    'conversation:' || new.conversation_id::text,
    true
  );
  return null;
end;
$$;
comment on function private.handle_message_broadcast() is 'Broadcasts each new message with its attachments ({message, attachments}) to its conversation topic after commit.';

-- =============================================================================================
-- Trigger functions
-- =============================================================================================

-- As in the send-rate migration, with three changes: a message with attachments (their rows are
-- written first, by the send path) may have an empty body and is previewed by its first file; the
-- rows of a broadcast skip the per-message rate limit (the send path checked the broadcast once as
-- one send); and SP005 is raised by private.refuse_sending_too_fast.
create or replace function private.handle_message_before_insert() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  from_api boolean := (select auth.role()) = 'authenticated';
  conv public.conversations;
  resumes_at timestamptz;
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

  new.attachment_count := (select count(*) from public.message_attachments a where a.message_id = new.id);
  if new.attachment_count > 0 and private.is_blank(coalesce(private.trim_blank(new.body), '')) then
    new.body := '';
  else
    new.body := private.checked_message_body(new.body);
  end if;

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
    -- The sender is the caller (checked above). A broadcast was counted once by the send path.
    if new.broadcast_id is null then
      resumes_at := private.sending_resumes_at_for(new.sender_id);
      if resumes_at is not null then
        perform private.refuse_sending_too_fast(resumes_at);
      end if;
    end if;
  end if;

  -- Locks the conversation row: sends to one conversation are serialized, so seq order is commit
  -- order and a client catching up with "seq > last seen" never misses a message.
  update public.conversations c
  set last_message_seq = c.last_message_seq + 1,
      last_message_id = new.id,
      last_message_at = coalesce(new.created_at, greatest(clock_timestamp(), c.last_message_at)),
      last_message_preview = case when new.attachment_count > 0 then private.message_preview(new.body, new.id)
                                  else private.message_preview(new.body) end,
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
comment on function private.handle_message_before_insert() is 'Validates a new message (session, sender, body or attachments, conversation, reply target, rate limit by private.sending_resumes_at_for except for a broadcast''s copies, archive), assigns seq and server time, and updates the conversation aggregates. Definer: senders cannot update conversations.';

-- A deleted message's files: its attachment rows leave (the tombstone shows none, and storage RLS
-- no longer lets the other side read them), and every object no other message still references (a
-- broadcast's copies share one upload) is queued for removal through the Storage API.
create or replace function private.queue_deleted_message_files(message_id uuid) returns integer
language plpgsql
set search_path = ''
as $$
declare
  queued integer;
begin
  with gone as (
    delete from public.message_attachments a
    where a.message_id = queue_deleted_message_files.message_id
    returning a.path, a.meta ->> 'poster_path' as poster_path
  ), names as (
    select g.path as name from gone g
    union
    select g.poster_path from gone g where g.poster_path is not null
  )
  insert into private.storage_removals (bucket_id, object_name, message_id)
  select 'attachments', n.name, queue_deleted_message_files.message_id
  from names n
  where not exists (
    select 1 from public.message_attachments a
    where (a.path = n.name or a.meta ->> 'poster_path' = n.name)
      and a.message_id <> queue_deleted_message_files.message_id
  )
  on conflict (bucket_id, object_name) do nothing;
  get diagnostics queued = row_count;
  return queued;
end;
$$;
comment on function private.queue_deleted_message_files(uuid) is 'Removes a deleted message''s attachment rows and queues in private.storage_removals each of its files no other message references. Called by handle_message_changed.';

-- As in the profiles migration, with the avatar path: only its owner sets it, in their own folder.
create or replace function private.handle_profile_guard() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
begin
  new.updated_at := now();
  if current_user not in ('authenticated', 'anon') then
    return new;
  end if;
  if new.id is distinct from old.id or new.role is distinct from old.role then
    raise exception 'a profile''s id and role cannot be changed'
      using errcode = '42501';
  end if;
  if new.trainer_id is distinct from old.trainer_id then
    if new.trainer_id is not null then
      raise exception 'a trainee is linked to a trainer only by redeeming an invitation code'
        using errcode = '42501';
    end if;
    if caller is distinct from old.trainer_id and caller is distinct from old.id then
      raise exception 'only the trainer or the trainee can remove this link'
        using errcode = '42501';
    end if;
  end if;
  if caller is distinct from old.id
     and (new.display_name is distinct from old.display_name or new.avatar_url is distinct from old.avatar_url
          or new.avatar_path is distinct from old.avatar_path) then
    raise exception 'only the owner can change a profile''s name or avatar'
      using errcode = '42501';
  end if;
  if new.avatar_path is distinct from old.avatar_path and new.avatar_path is not null
     and (split_part(new.avatar_path, '/', 1) <> old.id::text or new.avatar_path !~ '^[^/]+/[^/]+$') then
    raise exception 'a profile photo must be a file in your own folder of the avatars bucket (%/<file>)', old.id
      using errcode = 'SP204';
  end if;
  return new;
end;
$$;
comment on function private.handle_profile_guard() is 'Keeps role fixed and limits who may change names, avatars (URL or a photo in their own avatars folder) and trainer links through plain updates.';

-- A new photo is news for those who show the profile, as a new name is.
create or replace function private.handle_profile_broadcast() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  renamed boolean;
  watcher uuid;
begin
  if tg_op = 'DELETE' then
    if old.trainer_id is not null then
      perform private.broadcast_profile_changed(old.id, old.trainer_id);
    end if;
    return null;
  end if;
  renamed := old.display_name is distinct from new.display_name or old.avatar_url is distinct from new.avatar_url
    or old.avatar_path is distinct from new.avatar_path;
  for watcher in
    select w from private.profile_watchers(new.id, renamed) w
    union
    select old.trainer_id where old.trainer_id is not null
  loop
    perform private.broadcast_profile_changed(new.id, watcher);
  end loop;
  return null;
end;
$$;
comment on function private.handle_profile_broadcast() is 'Tells those who show a profile (private.profile_watchers, and a trainer just left) that it changed: a trainer link, the name or the picture, or the profile was deleted.';

drop trigger profiles_after_update_broadcast on public.profiles;
create trigger profiles_after_update_broadcast
  after update of trainer_id, display_name, avatar_url, avatar_path on public.profiles
  for each row
  when (
    old.trainer_id is distinct from new.trainer_id
    or old.display_name is distinct from new.display_name
    or old.avatar_url is distinct from new.avatar_url
    or old.avatar_path is distinct from new.avatar_path
  )
  execute function private.handle_profile_broadcast();

-- As in the triage migration, with the preview of a message without text.
create or replace function private.push_claim(batch_size integer, lease interval)
returns table (
  outbox_id bigint,
  attempts integer,
  outcome text,
  conversation_id uuid,
  message_id uuid,
  sender_name text,
  preview text,
  unread_total integer
)
language plpgsql
set search_path = ''
as $$
declare
  claimed bigint[];
begin
  with due as (
    select o.id from private.push_outbox o
    where o.done_at is null
      and o.not_before <= now()
      and (o.locked_until is null or o.locked_until <= now())
    order by o.id
    limit greatest(push_claim.batch_size, 1)
    for update skip locked
  ), leased as (
    update private.push_outbox o
    set locked_until = now() + push_claim.lease, attempts = o.attempts + 1
    from due
    where o.id = due.id
    returning o.id
  )
  select coalesce(array_agg(l.id), '{}') into claimed from leased l;

  update private.push_outbox o
  set done_at = now(), locked_until = null, outcome = f.outcome, last_error = f.error
  from (
    select c.id,
      case when m.read_at is not null then 'read'
           when exists (
             select 1 from public.conversation_settings s
             where s.user_id = c.recipient_id and s.conversation_id = m.conversation_id and s.muted
           ) then 'muted'
           when p.id is null then 'failed'
           when not exists (select 1 from public.push_subscriptions s where s.user_id = c.recipient_id)
             then 'no_devices'
      end as outcome,
      case when m.read_at is null and p.id is null then 'the sender no longer exists' end as error
    from private.push_outbox c
    join public.messages m on m.id = c.message_id
    left join public.profiles p on p.id = m.sender_id
    where c.id = any(claimed)
  ) f
  where o.id = f.id and f.outcome is not null;

  return query
  select o.id, o.attempts, o.outcome, m.conversation_id, m.id, p.display_name,
    private.message_preview(m.body, m.id), coalesce(t.total, 0)
  from private.push_outbox o
  join public.messages m on m.id = o.message_id
  left join public.profiles p on p.id = m.sender_id
  left join private.unread_totals t on t.user_id = o.recipient_id
  where o.id = any(claimed)
  order by o.id;
end;
$$;
comment on function private.push_claim(integer, interval) is 'Claims up to batch_size due outbox rows for lease (skipping rows held by another dispatcher) and returns what each push needs (the preview of a message without text names its first file). Rows that need no push (read, muted, no devices, sender gone) come back already finished, with their outcome.';

-- =============================================================================================
-- Storage: who may do what with which object (policies on storage.objects)
-- =============================================================================================

-- Is this object name in the caller's own folder, <caller id>/…?
create function private.is_own_storage_path(name text) returns boolean
language sql
stable
set search_path = ''
as $$
  select split_part(name, '/', 1) = (select auth.uid())::text
$$;
comment on function private.is_own_storage_path(text) is 'Whether an object name lies in the caller''s own folder (<user id>/…), for the storage.objects policies.';

-- An attachment upload: <caller id>/<client message or broadcast id>/<file>.
create function private.is_attachment_upload_path(name text) returns boolean
language sql
stable
set search_path = ''
as $$
  select private.is_own_storage_path(name)
    and name ~ '^[^/]+/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/[^/]+$'
$$;
comment on function private.is_attachment_upload_path(text) is 'Whether an object name is <caller id>/<message or broadcast id>/<file>, where attachments are uploaded.';

-- Does a message of the caller's conversations reference this attachments object (as the file or
-- a video's poster)? Then its participants may read it (archived conversations stay readable), and
-- its uploader (the sender, a participant) may no longer overwrite or delete it: deleting the
-- message queues it. plpgsql (not inlined): two index probes per object. Invoker: the
-- message_attachments policy applies.
create function private.can_read_attachment(name text) returns boolean
language plpgsql
stable
set search_path = ''
as $$
begin
  return exists (select 1 from public.message_attachments a where a.path = can_read_attachment.name)
    or exists (select 1 from public.message_attachments a where a.meta ->> 'poster_path' = can_read_attachment.name);
end;
$$;
comment on function private.can_read_attachment(text) is 'Whether the caller takes part in a conversation with a message whose file (or poster) is this object.';

revoke execute on function private.is_own_storage_path(text), private.is_attachment_upload_path(text),
  private.can_read_attachment(text)
  from public, anon, authenticated, service_role;
grant execute on function private.is_own_storage_path(text), private.is_attachment_upload_path(text),
  private.can_read_attachment(text)
  to authenticated;

create policy "Users can upload attachments into their own message folders"
  on storage.objects for insert
  to authenticated
  with check (
    bucket_id = 'attachments'
    and owner_id = (select auth.uid())::text
    and private.is_attachment_upload_path(name)
  );

create policy "Uploaders and participants of a message referencing it can read an attachment"
  on storage.objects for select
  to authenticated
  using (
    bucket_id = 'attachments'
    and (owner_id = (select auth.uid())::text or private.can_read_attachment(name))
  );

create policy "Uploaders can replace their attachments until they are sent"
  on storage.objects for update
  to authenticated
  using (
    bucket_id = 'attachments'
    and owner_id = (select auth.uid())::text
    and not private.can_read_attachment(name)
  )
  with check (
    bucket_id = 'attachments'
    and owner_id = (select auth.uid())::text
    and private.is_attachment_upload_path(name)
  );

create policy "Uploaders can delete their attachments until they are sent"
  on storage.objects for delete
  to authenticated
  using (
    bucket_id = 'attachments'
    and owner_id = (select auth.uid())::text
    and not private.can_read_attachment(name)
  );

-- Avatars are served publicly (no RLS on a public bucket's downloads); these policies govern
-- writes, and the owner's own listing and upserts.
create policy "Users can upload a profile photo into their own folder"
  on storage.objects for insert
  to authenticated
  with check (
    bucket_id = 'avatars'
    and owner_id = (select auth.uid())::text
    and private.is_own_storage_path(name)
  );

create policy "Users can see the profile photos in their own folder"
  on storage.objects for select
  to authenticated
  using (bucket_id = 'avatars' and private.is_own_storage_path(name));

create policy "Users can replace their own profile photos"
  on storage.objects for update
  to authenticated
  using (bucket_id = 'avatars' and owner_id = (select auth.uid())::text and private.is_own_storage_path(name))
  with check (bucket_id = 'avatars' and owner_id = (select auth.uid())::text and private.is_own_storage_path(name));

create policy "Users can delete their own profile photos"
  on storage.objects for delete
  to authenticated
  using (bucket_id = 'avatars' and owner_id = (select auth.uid())::text and private.is_own_storage_path(name));

-- =============================================================================================
-- The send path
-- =============================================================================================

-- The attachment items of a send, checked once for every copy, as the rows to store: each an
-- object of the bucket attachments that the sender uploaded into <sender>/<folder>/, with type and
-- size from Storage. Raises SP202 (too many), SP203 (not a valid item) or SP201 (no such object
-- of the sender's).
create function private.checked_attachments(sender uuid, folder uuid, items jsonb) returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  item jsonb;
  checked jsonb := '[]'::jsonb;
  object_path text;
  poster text;
  obj record;
  meta jsonb;
  original text;
  n integer := 0;
  key text;
begin
  if items is null or items = 'null'::jsonb then
    return checked;
  end if;
  if jsonb_typeof(items) <> 'array' then
    raise exception 'attachments must be a JSON array of {path, name?, width?, height?, duration_ms?, poster_path?}'
      using errcode = 'SP203';
  end if;
  if jsonb_array_length(items) > private.attachment_max_count() then
    raise exception 'a message can carry at most % files (this one has %)',
      private.attachment_max_count(), jsonb_array_length(items)
      using errcode = 'SP202';
  end if;
  for item in select value from jsonb_array_elements(items) loop
    if jsonb_typeof(item) <> 'object' or jsonb_typeof(item -> 'path') is distinct from 'string' then
      raise exception 'each attachment needs a path (the object''s name in the bucket attachments)'
        using errcode = 'SP203';
    end if;
    object_path := item ->> 'path';
    poster := item ->> 'poster_path';
    foreach key in array array['width', 'height', 'duration_ms'] loop
      if item ? key and (jsonb_typeof(item -> key) <> 'number' or (item ->> key)::numeric < 0
                         or (item ->> key)::numeric <> trunc((item ->> key)::numeric)
                         or (item ->> key)::numeric > 2147483647) then
        raise exception 'attachment %: % must be a whole number of at least 0', object_path, key
          using errcode = 'SP203';
      end if;
    end loop;
    if (item ? 'name' and jsonb_typeof(item -> 'name') not in ('string', 'null'))
       or char_length(coalesce(item ->> 'name', '')) > 255
       or (item ? 'poster_path' and jsonb_typeof(item -> 'poster_path') not in ('string', 'null')) then
      raise exception 'attachment %: name must be text of at most 255 characters, poster_path an object name', object_path
        using errcode = 'SP203';
    end if;
    foreach key in array array_remove(array[object_path, poster], null) loop
      if split_part(key, '/', 1) <> sender::text or split_part(key, '/', 2) <> folder::text
         or key !~ '^[^/]+/[^/]+/[^/]+$' then
        raise exception 'attachment % is not in the sender''s folder for this message (%/%/<file>)', key, sender, folder
          using errcode = 'SP203',
            hint = 'Upload a message''s files to <your user id>/<the message id>/<file> (a broadcast''s to <your user id>/<the broadcast id>/<file>).';
      end if;
    end loop;
    if checked @> jsonb_build_array(jsonb_build_object('path', object_path)) then
      raise exception 'attachment % is listed twice', object_path using errcode = 'SP203';
    end if;
    select o.metadata into obj from storage.objects o
    where o.bucket_id = 'attachments' and o.name = object_path and o.owner_id = sender::text;
    if not found then
      raise exception 'attachment % was not found among your uploads', object_path
        using errcode = 'SP201', hint = 'Upload the file first (it may have been removed), then send again.';
    end if;
    if poster is not null and not exists (
      select 1 from storage.objects o
      where o.bucket_id = 'attachments' and o.name = poster and o.owner_id = sender::text
    ) then
      raise exception 'poster % was not found among your uploads', poster
        using errcode = 'SP201', hint = 'Upload the file first (it may have been removed), then send again.';
    end if;
    meta := jsonb_strip_nulls(jsonb_build_object(
      'width', item -> 'width', 'height', item -> 'height',
      'duration_ms', item -> 'duration_ms', 'poster_path', to_jsonb(poster)));
    original := coalesce(nullif(private.trim_blank(item ->> 'name'), ''), regexp_replace(object_path, '^.*/', ''));
    checked := checked || jsonb_build_array(jsonb_build_object(
      'path', object_path,
      'kind', private.attachment_kind(obj.metadata ->> 'mimetype'),
      'mime_type', coalesce(obj.metadata ->> 'mimetype', 'application/octet-stream'),
      'size_bytes', coalesce((obj.metadata ->> 'size')::bigint, (obj.metadata ->> 'contentLength')::bigint, 0),
      'original_name', original,
      'meta', meta,
      'position', n));
    n := n + 1;
  end loop;
  return checked;
end;
$$;
comment on function private.checked_attachments(uuid, uuid, jsonb) is 'Checks a send''s attachment items (at most private.attachment_max_count(); each an upload of the sender''s in <sender>/<folder>/, SP201–SP203) and returns the rows to store, type and size taken from storage.objects.';

-- One recipient of a send, as the send path plans it.
create type private.send_target as (
  ord integer, recipient uuid, id uuid, trainer uuid, trainee uuid, linked boolean,
  conversation uuid, sent boolean, first_name text
);
comment on type private.send_target is 'One recipient of a send as private.send_as plans it: the pair (trainer, trainee), whether it is linked, its conversation, whether the message id is stored already, the first name for {first_name}.';

-- The one send path: send_message, broadcast_message and the scheduled sends all come through
-- here, with the sender named (a scheduled send has no caller). One call sends one text (and the
-- same files) to each recipient, as separate 1:1 messages with the given ids, set-based:
--   · a message id already stored is the same send again: 'already_sent' (SP007 if it is another
--     sender's or another conversation's);
--   · a recipient the sender is not linked with: 'not_linked' for a broadcast; for a single send,
--     SP001 unless the pair has a conversation (then the insert trigger says it is archived, SP002);
--   · the rate limit is checked here once for a broadcast or a send without a caller; a single
--     send by an API caller is checked by the insert trigger, as a direct insert is;
--   · the rest (session, body, archive, numbering) is the insert trigger's, per message.
-- Definer: writes conversations, attachment rows and broadcast copies that no API role may write.
-- Executable by no API role: the caller is always the sender, which send_message and
-- broadcast_message make sure of.
create function private.send_as(
  sender uuid,
  recipient_ids uuid[],
  message_ids uuid[],
  body text,
  reply_to_id uuid default null,
  attachments jsonb default '[]'::jsonb,
  broadcast_id uuid default null
)
returns table (recipient_id uuid, conversation_id uuid, message_id uuid, outcome text)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  sender_role public.user_role;
  targets private.send_target[];
  files jsonb;
  resumes_at timestamptz;
  is_broadcast boolean := send_as.broadcast_id is not null;
begin
  -- One sender's sends are serialized, the profile before any conversation (as the insert trigger).
  select p.role into sender_role from public.profiles p where p.id = send_as.sender for no key update;
  if not found then
    perform private.refuse_not_linked();
  end if;

  -- A message id already used by someone else, or for another pair, is refused.
  if exists (
    select 1
    from unnest(send_as.recipient_ids, send_as.message_ids) as t(recipient, id)
    join public.messages m on m.id = t.id
    left join public.conversations c on c.id = m.conversation_id
    where m.sender_id is distinct from send_as.sender
       or c.id is null
       or t.recipient is distinct from case when c.trainer_id = send_as.sender then c.trainee_id else c.trainer_id end
       or m.broadcast_id is distinct from send_as.broadcast_id
  ) then
    perform private.refuse_message_id_taken(
      (select t.id from unnest(send_as.message_ids) as t(id) join public.messages m on m.id = t.id limit 1));
  end if;

  -- Every recipient's pair (trainer first), link, conversation and whether it is sent already.
  select array_agg(row(t.ord, t.recipient, t.id, pair.trainer, pair.trainee,
      exists (select 1 from public.profiles l where l.id = pair.trainee and l.trainer_id = pair.trainer),
      c.id,
      exists (select 1 from public.messages m where m.id = t.id),
      split_part(private.trim_blank(r.display_name), ' ', 1))::private.send_target order by t.ord)
    into targets
  from unnest(send_as.recipient_ids, send_as.message_ids) with ordinality as t(recipient, id, ord)
  cross join lateral (
    select case sender_role when 'trainer' then send_as.sender when 'trainee' then t.recipient end as trainer,
           case sender_role when 'trainer' then t.recipient when 'trainee' then send_as.sender end as trainee
  ) pair
  left join public.conversations c on c.trainer_id = pair.trainer and c.trainee_id = pair.trainee
  left join public.profiles r on r.id = t.recipient;

  if not is_broadcast and exists (
    select 1 from unnest(targets) s where not s.sent and not s.linked and s.conversation is null
  ) then
    perform private.refuse_not_linked();
  end if;

  if exists (select 1 from unnest(targets) s where not s.sent and (s.linked or not is_broadcast)) then
    files := private.checked_attachments(send_as.sender, coalesce(send_as.broadcast_id, send_as.message_ids[1]),
      send_as.attachments);

    if is_broadcast or (select auth.role()) is distinct from 'authenticated' then
      resumes_at := private.sending_resumes_at_for(send_as.sender, coalesce(send_as.broadcast_id, send_as.message_ids[1]));
      if resumes_at is not null then
        perform private.refuse_sending_too_fast(resumes_at);
      end if;
    end if;

    -- Conversations created by their first message; two first messages at once make one.
    if exists (select 1 from unnest(targets) s where not s.sent and s.linked and s.conversation is null) then
      insert into public.conversations (trainer_id, trainee_id)
      select s.trainer, s.trainee from unnest(targets) s
      where not s.sent and s.linked and s.conversation is null
      order by s.ord
      on conflict (trainer_id, trainee_id) do nothing;
      select array_agg(row(s.ord, s.recipient, s.id, s.trainer, s.trainee, s.linked, coalesce(s.conversation, c.id),
          s.sent, s.first_name)::private.send_target order by s.ord)
        into targets
      from unnest(targets) s
      left join public.conversations c
        on s.conversation is null and c.trainer_id = s.trainer and c.trainee_id = s.trainee;
    end if;

    -- Files first (their message is checked at commit), so the message row is born with them.
    if jsonb_array_length(files) > 0 then
    insert into public.message_attachments
      (message_id, conversation_id, uploader_id, path, kind, mime_type, size_bytes, original_name, meta, position)
    select s.id, s.conversation, send_as.sender, f.path, f.kind, f.mime_type, f.size_bytes, f.original_name,
      f.meta, f.position
    from unnest(targets) s
    cross join jsonb_to_recordset(files) as f(path text, kind text, mime_type text, size_bytes bigint,
      original_name text, meta jsonb, position smallint)
    where not s.sent and (s.linked or not is_broadcast)
    order by s.ord, f.position;
    end if;

    insert into public.messages (id, conversation_id, sender_id, body, reply_to_id, broadcast_id, created_at)
    select s.id, s.conversation, send_as.sender,
      case when is_broadcast then replace(send_as.body, '{first_name}', coalesce(s.first_name, '')) else send_as.body end,
      send_as.reply_to_id, send_as.broadcast_id, null
    from unnest(targets) s
    where not s.sent and (s.linked or not is_broadcast)
    order by s.ord;
  end if;

  return query
  select s.recipient, s.conversation, s.id,
    case when s.sent then 'already_sent' when s.linked or not is_broadcast then 'sent' else 'not_linked' end
  from unnest(targets) s
  order by s.ord;
end;
$$;
comment on function private.send_as(uuid, uuid[], uuid[], text, uuid, jsonb, uuid) is 'The one send path (send_message, broadcast_message, scheduled sends): sends as the given sender to each recipient a 1:1 message with the given id, set-based, with the same rules everywhere. Returns each recipient''s conversation, message id and outcome (sent, already_sent, not_linked). Executable by no API role.';

revoke execute on function private.checked_attachments(uuid, uuid, jsonb),
  private.send_as(uuid, uuid[], uuid[], text, uuid, jsonb, uuid)
  from public, anon, authenticated, service_role;

-- =============================================================================================
-- Error codes
-- =============================================================================================
insert into private.error_codes (code, meaning) values
  ('SP201', 'An attachment is not among the sender''s uploads: no object of theirs at that path in the bucket attachments (private.checked_attachments).'),
  ('SP202', 'Too many attachments: at most private.attachment_max_count() files per message (private.checked_attachments).'),
  ('SP203', 'An attachment item is not valid: not {path, …}, not in <sender id>/<message or broadcast id>/, listed twice, or a bad width, height, duration_ms, name or poster_path (private.checked_attachments).'),
  ('SP204', 'A profile photo must be an object in the owner''s own folder of the bucket avatars (profiles update guard).'),
  ('SP301', 'Only trainers can do this: broadcasts, scheduled messages, saved replies (private.refuse_not_trainer).'),
  ('SP302', 'The broadcast id is already used by another trainer''s broadcast (broadcast_message).'),
  ('SP303', 'A broadcast needs between 1 and private.broadcast_max_recipients() recipients (broadcast_message).');

-- =============================================================================================
-- RLS
-- =============================================================================================
alter table public.message_attachments enable row level security;
alter table public.broadcasts enable row level security;

create policy "Participants can see the attachments of their conversations"
  on public.message_attachments for select
  to authenticated
  using (private.is_conversation_participant(conversation_id));

create policy "Trainers can see their own broadcasts"
  on public.broadcasts for select
  to authenticated
  using (trainer_id = (select auth.uid()));

-- =============================================================================================
-- API functions
-- =============================================================================================

-- send_message gains attachments; calls without it keep working. Definer so that it can call the
-- send path, which it does as the caller only.
drop function public.send_message(uuid, text, uuid, uuid);
create function public.send_message(
  recipient_id uuid,
  body text,
  message_id uuid,
  reply_to_id uuid default null,
  attachments jsonb default '[]'::jsonb
)
returns public.messages
language plpgsql
security definer
set search_path = ''
as $$
declare
  me uuid := (select auth.uid());
  msg public.messages;
begin
  if me is null then
    raise exception 'sign in to send messages' using errcode = '42501';
  end if;
  if send_message.message_id is null or send_message.recipient_id is null then
    perform private.refuse_missing_arguments('recipient_id and message_id are');
  end if;
  -- A retry that races its original waits for it (and then finds it) instead of failing on the key.
  perform pg_advisory_xact_lock(hashtextextended(send_message.message_id::text, 0));
  perform private.send_as(me, array[send_message.recipient_id], array[send_message.message_id],
    send_message.body, send_message.reply_to_id, send_message.attachments);
  select * into msg from public.messages m where m.id = send_message.message_id;
  return msg;
end;
$$;
comment on function public.send_message(uuid, text, uuid, uuid, jsonb) is 'Sends a message to my trainer or trainee, creating our conversation on the first message; reply_to_id quotes a message of that conversation; attachments are files I uploaded to attachments/<my id>/<message_id>/ ([{path, name?, width?, height?, duration_ms?, poster_path?}]), and a message with files may have no text. Idempotent on message_id (a retry returns the stored message).';

create function public.broadcast_message(
  recipient_ids uuid[],
  body text,
  broadcast_id uuid,
  attachments jsonb default '[]'::jsonb
)
returns table (recipient_id uuid, conversation_id uuid, message_id uuid, outcome text)
language plpgsql
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  me uuid := (select auth.uid());
  recipients uuid[];
  existing public.broadcasts;
begin
  if me is null then
    raise exception 'sign in to send messages' using errcode = '42501';
  end if;
  if broadcast_message.broadcast_id is null or broadcast_message.recipient_ids is null then
    perform private.refuse_missing_arguments('recipient_ids and broadcast_id are');
  end if;
  if not exists (select 1 from public.profiles p where p.id = me and p.role = 'trainer') then
    perform private.refuse_not_trainer();
  end if;
  select array_agg(distinct r) into recipients
  from unnest(broadcast_message.recipient_ids) r where r is not null;
  if coalesce(cardinality(recipients), 0) not between 1 and private.broadcast_max_recipients() then
    raise exception 'a broadcast goes to between 1 and % trainees (this one: %)',
      private.broadcast_max_recipients(), coalesce(cardinality(recipients), 0)
      using errcode = 'SP303';
  end if;

  perform pg_advisory_xact_lock(hashtextextended(broadcast_message.broadcast_id::text, 0));
  select * into existing from public.broadcasts b where b.id = broadcast_message.broadcast_id;
  if found and existing.trainer_id is distinct from me then
    raise exception 'broadcast id % is already used', broadcast_message.broadcast_id using errcode = 'SP302';
  end if;
  if not found then
    insert into public.broadcasts (id, trainer_id, body, attachments, recipient_count)
    values (broadcast_message.broadcast_id, me, coalesce(broadcast_message.body, ''),
      coalesce(broadcast_message.attachments, '[]'::jsonb), cardinality(recipients));
  end if;

  -- Each copy's id follows from the broadcast and the recipient, so a retry finds what it sent.
  return query
  select s.recipient_id, s.conversation_id, s.message_id, s.outcome
  from private.send_as(
    me,
    recipients,
    array(select md5(broadcast_message.broadcast_id::text || ':' || r::text)::uuid from unnest(recipients) r),
    broadcast_message.body,
    null,
    broadcast_message.attachments,
    broadcast_message.broadcast_id
  ) s;
end;
$$;
comment on function public.broadcast_message(uuid[], text, uuid, jsonb) is 'Sends one message (text with {first_name} filled in per trainee, and the same uploaded files from attachments/<my id>/<broadcast_id>/) to each of my trainees picked, each as an ordinary 1:1 message, in one call. Idempotent on broadcast_id. Counts as one send against the rate limit. One row per recipient: conversation, message id, outcome (sent, already_sent, not_linked).';

create function public.broadcast_summaries(
  page_size integer default 20,
  before_created_at timestamptz default null,
  before_id uuid default null
)
returns table (
  id uuid,
  body text,
  attachments jsonb,
  created_at timestamptz,
  recipient_count integer,
  sent_count integer,
  read_count integer
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
#variable_conflict use_column
begin
  return query
  select b.id, b.body, b.attachments, b.created_at, b.recipient_count,
    coalesce(x.sent, 0)::integer, coalesce(x.read_copies, 0)::integer
  from (
    select * from public.broadcasts b
    where b.trainer_id = (select auth.uid())
      and (b.created_at, b.id) < (
        coalesce(broadcast_summaries.before_created_at, 'infinity'::timestamptz),
        coalesce(broadcast_summaries.before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid))
    order by b.created_at desc, b.id desc
    limit least(greatest(broadcast_summaries.page_size, 1), 100)
  ) b
  left join lateral (
    select count(*) filter (where m.deleted_at is null) as sent,
      count(*) filter (where m.deleted_at is null and m.read_at is not null) as read_copies
    from public.messages m where m.broadcast_id = b.id
  ) x on true
  order by b.created_at desc, b.id desc;
end;
$$;
comment on function public.broadcast_summaries(integer, timestamptz, uuid) is 'My broadcasts, newest first, one page (max 100) after the keyset cursor (created_at, id), each with how many copies were sent (not deleted since) and how many of them are read. Invoker: RLS shows the caller their own broadcasts and messages.';

revoke execute on function public.send_message(uuid, text, uuid, uuid, jsonb),
  public.broadcast_message(uuid[], text, uuid, jsonb),
  public.broadcast_summaries(integer, timestamptz, uuid)
  from public, anon;
grant execute on function public.send_message(uuid, text, uuid, uuid, jsonb),
  public.broadcast_message(uuid[], text, uuid, jsonb),
  public.broadcast_summaries(integer, timestamptz, uuid)
  to authenticated;

-- Send later: a trainer schedules a message to a trainee for a time (chosen in their time zone,
-- profiles.time_zone); the job spotter-send-due-messages sends it through the one send path
-- (private.send_as) with the checks made at that moment — still linked, not archived, the body, the
-- rate limit — and marks it sent, or failed with the reason.
--
-- Which layer owns which rule (the codes are in private.error_codes):
--   schedule_message (API, invoker)   required arguments (SP009), idempotency on message_id (a
--                                     retry returns the stored row; another's id is SP007).
--   scheduled_messages write trigger  every rule about the row, for schedule_message and plain
--   (handle_scheduled_message_write)  PostgREST updates alike: a live session (SP006), only trainers
--                                     (SP301), only to their trainees (SP001), the time in the future
--                                     (SP304, private.refuse_time_in_the_past), the body (SP003,
--                                     SP004), changes only while scheduled (SP305) and only body,
--                                     send_at and cancelling.
--   private.send_due_messages (job)   due rows claimed FOR UPDATE SKIP LOCKED, each sent in its own
--                                     subtransaction; a refusal marks it failed with its reason, the
--                                     rate limit leaves it for the next run.
--   profiles time zone trigger        an IANA name (SP306), set by the owner only.

-- =============================================================================================
-- Tables
-- =============================================================================================
alter table public.profiles add column time_zone text;
comment on column public.profiles.time_zone is 'The user''s IANA time zone (e.g. Europe/Berlin), taken from the browser and editable in Settings; scheduled times are chosen in it. Null: the device''s.';

create table public.scheduled_messages (
  id uuid primary key,
  trainer_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  recipient_id uuid not null references public.profiles (id) on delete cascade,
  body text not null,
  send_at timestamptz not null,
  status text not null default 'scheduled',
  failure text,
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint scheduled_messages_status_known check (status in ('scheduled', 'sent', 'failed', 'cancelled')),
  constraint scheduled_messages_failure_when_failed check ((status = 'failed') = (failure is not null)),
  constraint scheduled_messages_sent_at_when_sent check ((status = 'sent') = (sent_at is not null))
);
comment on table public.scheduled_messages is 'Messages a trainer scheduled for later (schedule_message). The job spotter-send-due-messages sends each at its time through the normal send path, as a message with the same id.';
comment on column public.scheduled_messages.id is 'The id the message will have once sent (chosen by the trainer''s device, so a retry schedules nothing twice).';
comment on column public.scheduled_messages.trainer_id is 'The trainer who scheduled it (the sender).';
comment on column public.scheduled_messages.recipient_id is 'The trainee it goes to.';
comment on column public.scheduled_messages.body is 'The text to send (checked again when it is sent).';
comment on column public.scheduled_messages.send_at is 'When to send it; editable while scheduled, always in the future.';
comment on column public.scheduled_messages.status is 'scheduled (waiting), sent, failed (see failure) or cancelled (by the trainer).';
comment on column public.scheduled_messages.failure is 'Why it could not be sent (e.g. the trainee is no longer linked), when failed.';
comment on column public.scheduled_messages.sent_at is 'When it was actually sent (later than send_at if the job runner was down).';
comment on column public.scheduled_messages.created_at is 'When it was scheduled.';
comment on column public.scheduled_messages.updated_at is 'When it last changed.';

create index scheduled_messages_due_idx on public.scheduled_messages (send_at) where status = 'scheduled';
create index scheduled_messages_trainer_list_idx on public.scheduled_messages (trainer_id, send_at desc);
create index scheduled_messages_recipient_id_idx on public.scheduled_messages (recipient_id);

-- =============================================================================================
-- Grants
-- =============================================================================================
grant update (time_zone) on public.profiles to authenticated;

revoke all on public.scheduled_messages from anon, authenticated;
grant select on public.scheduled_messages to authenticated;
grant insert (id, recipient_id, body, send_at) on public.scheduled_messages to authenticated;
grant update (body, send_at, status) on public.scheduled_messages to authenticated;

-- =============================================================================================
-- Helpers and trigger functions
-- =============================================================================================
create function private.refuse_time_in_the_past(send_at timestamptz) returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'the time to send (%) has already passed', send_at
    using errcode = 'SP304', hint = 'Pick a time in the future.';
end;
$$;
comment on function private.refuse_time_in_the_past(timestamptz) is 'Raises SP304: a scheduled time is not in the future.';

-- Every rule about a scheduled message, for inserts (schedule_message) and updates (edit, cancel)
-- by an API caller (the live session is checked per statement by private.handle_write_check_session).
-- Invoker: the caller's trainees are what RLS shows them.
create function private.handle_scheduled_message_write() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  if current_user <> 'authenticated' then
    return new;
  end if;
  if tg_op = 'INSERT' then
    new.trainer_id := (select auth.uid());
    new.status := 'scheduled';
    new.failure := null;
    new.sent_at := null;
    new.created_at := now();
    if not exists (select 1 from public.profiles p where p.id = new.trainer_id and p.role = 'trainer') then
      perform private.refuse_not_trainer();
    end if;
    if not exists (select 1 from public.profiles p where p.id = new.recipient_id and p.trainer_id = new.trainer_id) then
      perform private.refuse_not_linked();
    end if;
  else
    if old.status <> 'scheduled' then
      raise exception 'this message is already %: it can no longer be changed', old.status using errcode = 'SP305';
    end if;
    if new.status not in ('scheduled', 'cancelled') then
      raise exception 'a scheduled message can only be cancelled' using errcode = '42501';
    end if;
    if new.status = 'cancelled' then
      return new;
    end if;
  end if;
  if new.send_at is null or new.send_at <= now() then
    perform private.refuse_time_in_the_past(new.send_at);
  end if;
  new.body := private.checked_message_body(new.body);
  return new;
end;
$$;
comment on function private.handle_scheduled_message_write() is 'Checks a scheduled message written through the API: a live session, a trainer, to their trainee, a future time, the sending body rules; changes (body, time, cancelling) only while it is scheduled.';

-- An IANA name, set by the owner.
create function private.handle_profile_time_zone() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user = 'authenticated' and (select auth.uid()) is distinct from new.id then
    raise exception 'only the owner can change a profile''s time zone' using errcode = '42501';
  end if;
  if new.time_zone is not null and not exists (select 1 from pg_catalog.pg_timezone_names z where z.name = new.time_zone) then
    raise exception '"%" is not a time zone (an IANA name such as Europe/Berlin)', left(new.time_zone, 64)
      using errcode = 'SP306';
  end if;
  return new;
end;
$$;
comment on function private.handle_profile_time_zone() is 'Checks profiles.time_zone: an IANA name (pg_timezone_names), changed by the owner only.';

revoke execute on function private.refuse_time_in_the_past(timestamptz), private.handle_scheduled_message_write(),
  private.handle_profile_time_zone()
  from public, anon, authenticated, service_role;
grant execute on function private.refuse_time_in_the_past(timestamptz), private.refuse_missing_arguments(text)
  to authenticated;

create trigger scheduled_messages_before_write_check
  before insert or update on public.scheduled_messages
  for each row execute function private.handle_scheduled_message_write();

create trigger scheduled_messages_before_write_check_session
  before insert or update on public.scheduled_messages
  for each statement execute function private.handle_write_check_session();

create trigger profiles_before_write_time_zone
  before insert or update of time_zone on public.profiles
  for each row
  execute function private.handle_profile_time_zone();

-- =============================================================================================
-- Row-level security
-- =============================================================================================
alter table public.scheduled_messages enable row level security;

create policy "Trainers can see their scheduled messages"
  on public.scheduled_messages for select
  to authenticated
  using (trainer_id = (select auth.uid()));

create policy "Trainers can schedule messages"
  on public.scheduled_messages for insert
  to authenticated
  with check (trainer_id = (select auth.uid()));

create policy "Trainers can edit and cancel their scheduled messages"
  on public.scheduled_messages for update
  to authenticated
  using (trainer_id = (select auth.uid()))
  with check (trainer_id = (select auth.uid()));

-- =============================================================================================
-- The job (run by the scheduler as the migration role; no API role may call it)
-- =============================================================================================

-- Sends what is due, oldest first, each in its own subtransaction so that one refusal does not
-- hold back the others. Rows another runner holds are skipped (FOR UPDATE SKIP LOCKED), and a row
-- it has sent meanwhile no longer matches, so nothing is sent twice; what fell due while no runner
-- was up is sent at the next run, once (sent_at shows the delay). No JWT: the send path checks the
-- sender's link, the archive, the body and the rate limit itself. Returns how many it sent.
create function private.send_due_messages(batch_size integer default 200) returns integer
language plpgsql
set search_path = ''
as $$
declare
  due public.scheduled_messages;
  sent integer := 0;
  outcome text;
begin
  for due in
    select * from public.scheduled_messages s
    where s.status = 'scheduled' and s.send_at <= now()
    order by s.send_at, s.id
    limit greatest(send_due_messages.batch_size, 1)
    for update skip locked
  loop
    begin
      select r.outcome into outcome
      from private.send_as(due.trainer_id, array[due.recipient_id], array[due.id], due.body) r;
      update public.scheduled_messages s
      set status = 'sent', failure = null,
          sent_at = (select m.created_at from public.messages m where m.id = due.id)
      where s.id = due.id;
      sent := sent + 1;
    exception
      when sqlstate 'SP005' then
        -- The trainer is at the rate limit: it goes at a later run.
        null;
      when others then
        update public.scheduled_messages s
        set status = 'failed', failure = sqlerrm || ' (' || sqlstate || ')'
        where s.id = due.id;
    end;
  end loop;
  return sent;
end;
$$;
comment on function private.send_due_messages(integer) is 'Sends the scheduled messages that are due (up to batch_size) through private.send_as, marking each sent or failed with its reason; one at the rate limit waits for the next run. Run every 20 seconds by the job spotter-send-due-messages.';

revoke execute on function private.send_due_messages(integer) from public, anon, authenticated, service_role;

select cron.schedule('spotter-send-due-messages', '20 seconds', 'select private.send_due_messages()');

-- =============================================================================================
-- Error codes
-- =============================================================================================
insert into private.error_codes (code, meaning) values
  ('SP304', 'The time to send a scheduled message is not in the future (private.refuse_time_in_the_past).'),
  ('SP305', 'The scheduled message is already sent, failed or cancelled: it can no longer be changed (scheduled_messages write trigger).'),
  ('SP306', 'Not a time zone: profiles.time_zone must be an IANA name such as Europe/Berlin (profiles time zone trigger).');

-- =============================================================================================
-- API functions
-- =============================================================================================
create function public.schedule_message(recipient_id uuid, body text, message_id uuid, send_at timestamptz)
returns public.scheduled_messages
language plpgsql
security invoker
set search_path = ''
as $$
declare
  row public.scheduled_messages;
begin
  if schedule_message.recipient_id is null or schedule_message.message_id is null or schedule_message.send_at is null then
    perform private.refuse_missing_arguments('recipient_id, message_id and send_at are');
  end if;
  insert into public.scheduled_messages (id, recipient_id, body, send_at)
  values (schedule_message.message_id, schedule_message.recipient_id, schedule_message.body, schedule_message.send_at)
  on conflict (id) do nothing
  returning * into row;
  if found then
    return row;
  end if;
  -- The same id again: a retry returns what is stored; someone else's id (or a message's) is refused.
  select * into row from public.scheduled_messages s where s.id = schedule_message.message_id;
  if found and row.recipient_id = schedule_message.recipient_id then
    return row;
  end if;
  perform private.refuse_message_id_taken(schedule_message.message_id);
  return null;
end;
$$;
comment on function public.schedule_message(uuid, text, uuid, timestamptz) is 'Schedules a message to my trainee for send_at (in the future); it is sent then through the normal send path, as a message with id message_id. Idempotent on message_id. Returns the scheduled message.';

revoke execute on function public.schedule_message(uuid, text, uuid, timestamptz) from public, anon;
grant execute on function public.schedule_message(uuid, text, uuid, timestamptz) to authenticated;

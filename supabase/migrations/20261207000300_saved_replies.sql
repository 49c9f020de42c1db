-- Saved replies: a trainer's templates with a short name, offered by "/" in the composer
-- ({first_name} is filled in by the app for the open conversation). Plain PostgREST CRUD under RLS;
-- the write trigger owns every rule: trainers only (SP301), a name of 1–40 characters (SP307),
-- unique per trainer (SP308), the body under the sending rules (SP003, SP004), a live session (SP006).

-- =============================================================================================
-- Tables
-- =============================================================================================
create table public.saved_replies (
  id uuid primary key default gen_random_uuid(),
  trainer_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  name text not null,
  body text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint saved_replies_trainer_name_key unique (trainer_id, name)
);
comment on table public.saved_replies is 'A trainer''s reply templates, offered by typing "/" in the composer; {first_name} is filled in for the open conversation.';
comment on column public.saved_replies.id is 'Saved reply id.';
comment on column public.saved_replies.trainer_id is 'The trainer it belongs to.';
comment on column public.saved_replies.name is 'Short name shown in the "/" menu: 1–40 characters, unique per trainer.';
comment on column public.saved_replies.body is 'The text, under the same rules as a message (not blank, at most 2000 characters); may contain {first_name}.';
comment on column public.saved_replies.created_at is 'When it was saved.';
comment on column public.saved_replies.updated_at is 'When it last changed.';

-- =============================================================================================
-- Grants
-- =============================================================================================
revoke all on public.saved_replies from anon, authenticated;
grant select, delete on public.saved_replies to authenticated;
grant insert (id, name, body) on public.saved_replies to authenticated;
grant update (name, body) on public.saved_replies to authenticated;

-- =============================================================================================
-- Trigger functions
-- =============================================================================================
create function private.saved_reply_name_max_length() returns integer
language sql
immutable
parallel safe
set search_path = ''
as $$
  select 40
$$;
comment on function private.saved_reply_name_max_length() is 'The longest name a saved reply may have: 40 characters.';

-- Invoker: the caller's own replies are what RLS shows them.
create function private.handle_saved_reply_write() returns trigger
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
    new.created_at := now();
    if not exists (select 1 from public.profiles p where p.id = new.trainer_id and p.role = 'trainer') then
      perform private.refuse_not_trainer();
    end if;
  end if;
  new.name := private.trim_blank(new.name);
  if new.name is null or private.is_blank(new.name) or char_length(new.name) > private.saved_reply_name_max_length() then
    raise exception 'a saved reply needs a name of 1 to % characters', private.saved_reply_name_max_length()
      using errcode = 'SP307';
  end if;
  if exists (
    select 1 from public.saved_replies r
    where r.trainer_id = new.trainer_id and r.name = new.name and r.id <> new.id
  ) then
    raise exception 'you already have a saved reply named "%"', new.name using errcode = 'SP308';
  end if;
  new.body := private.checked_message_body(new.body);
  return new;
end;
$$;
comment on function private.handle_saved_reply_write() is 'Checks a saved reply written through the API: a trainer, a name of 1–40 characters unique for them, the sending body rules.';

revoke execute on function private.saved_reply_name_max_length(), private.handle_saved_reply_write()
  from public, anon, authenticated, service_role;
grant execute on function private.saved_reply_name_max_length() to authenticated;

create trigger saved_replies_before_write_check
  before insert or update on public.saved_replies
  for each row execute function private.handle_saved_reply_write();

create trigger saved_replies_before_write_check_session
  before insert or update or delete on public.saved_replies
  for each statement execute function private.handle_write_check_session();

-- =============================================================================================
-- Row-level security
-- =============================================================================================
alter table public.saved_replies enable row level security;

create policy "Trainers can see their saved replies"
  on public.saved_replies for select
  to authenticated
  using (trainer_id = (select auth.uid()));

create policy "Trainers can save replies"
  on public.saved_replies for insert
  to authenticated
  with check (trainer_id = (select auth.uid()));

create policy "Trainers can change their saved replies"
  on public.saved_replies for update
  to authenticated
  using (trainer_id = (select auth.uid()))
  with check (trainer_id = (select auth.uid()));

create policy "Trainers can delete their saved replies"
  on public.saved_replies for delete
  to authenticated
  using (trainer_id = (select auth.uid()));

-- =============================================================================================
-- Error codes
-- =============================================================================================
insert into private.error_codes (code, meaning) values
  ('SP307', 'A saved reply needs a name of 1 to private.saved_reply_name_max_length() characters (saved replies write trigger).'),
  ('SP308', 'The trainer already has a saved reply with this name (saved replies write trigger).');

-- The migration history was squashed into one file per domain before the first release; from here
-- on, migrations are append-only.
--
-- Profiles, the trainer ↔ trainee link, invitations — and what every later domain shares: the
-- private schema, the catalog of Spotter's error codes and the one definition of blank text.
--
-- Public API functions are security invoker: every read and write goes through RLS as the caller.
-- Privileged work (creating a profile for a new auth user, linking a trainee who redeems a code)
-- happens in trigger functions whose EXECUTE is revoked from every API role, so no signed-in
-- user can call them directly (the Supabase advisors flag a definer function an API role may call).

-- =============================================================================================
-- Schemas and types
-- =============================================================================================
create schema if not exists private;
comment on schema private is 'Spotter internals: trigger functions and helpers. Not exposed by the API.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

create type public.user_role as enum ('trainer', 'trainee', 'admin');
comment on type public.user_role is 'What a person is in Spotter. admin is granted in the dashboard, never at sign-up.';

-- =============================================================================================
-- Helpers every domain uses
-- =============================================================================================

-- Blank text, defined once. A character is blank when it is Unicode White_Space, a format
-- character (Cf) or one of the invisible fillers (Hangul fillers, halfwidth Hangul filler, Braille
-- blank). The app's composer mirrors this exact set, character for character; a body made only of
-- them is empty, and trimming removes them from both ends.
create function private.blank_pattern() returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select '['
    -- White_Space
    || '\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000'
    -- Cf (format characters)
    || '\u00AD\u0600-\u0605\u061C\u06DD\u070F\u0890-\u0891\u08E2\u180E\u200B-\u200F\u202A-\u202E'
    || '\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB\U000110BD\U000110CD\U00013430-\U0001343F'
    || '\U0001BCA0-\U0001BCA3\U0001D173-\U0001D17A\U000E0001\U000E0020-\U000E007F'
    -- invisible fillers
    || '\u115F\u1160\u3164\uFFA0\u2800'
    || ']'
$$;
comment on function private.blank_pattern() is 'The regular-expression class of blank characters (Unicode White_Space, format characters Cf, invisible fillers): the one definition behind private.is_blank and private.trim_blank.';

create function private.is_blank(value text) returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
  select value ~ ('^' || private.blank_pattern() || '*$')
$$;
comment on function private.is_blank(text) is 'Whether a text is empty or made only of blank characters (private.blank_pattern). Null stays null.';

create function private.trim_blank(value text) returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select regexp_replace(
    regexp_replace(value, '^' || private.blank_pattern() || '+', ''),
    private.blank_pattern() || '+$', '')
$$;
comment on function private.trim_blank(text) is 'The text without blank characters (private.blank_pattern) at either end.';

-- Refusals several paths raise (remove_trainee here; send_message and the message insert trigger
-- in messaging) are raised by one function each, so each SQLSTATE has one message.
create function private.refuse_not_linked() returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'this person is not your trainer or trainee' using errcode = 'SP001';
end;
$$;
comment on function private.refuse_not_linked() is 'Raises SP001: the caller is not linked with that person (not their trainer or trainee).';

-- =============================================================================================
-- Tables
-- =============================================================================================
-- Every SQLSTATE of Spotter's own (SP…) is listed here once; the app shows each as a sentence of its
-- own, and a test checks this list against the codes the migrations raise.
create table private.error_codes (
  code text primary key,
  meaning text not null,
  constraint error_codes_code_format check (code ~ '^SP[0-9]{3}$')
);
comment on table private.error_codes is 'Server-only (RLS on, no policy): the catalog of SQLSTATE codes Spotter raises (PostgREST answers them with 400; the app shows each as a sentence of its own).';
comment on column private.error_codes.code is 'The SQLSTATE, SP001…, as raised with errcode = ''SP…''.';
comment on column private.error_codes.meaning is 'What the refusal means and which rule raises it, for admins reading logs.';

insert into private.error_codes (code, meaning) values
  ('SP001', 'Not your trainer or trainee: sending to, or removing, someone the caller is not linked with (private.refuse_not_linked).'),
  ('SP002', 'The conversation is archived (the trainee was unlinked or a user deleted): it is read-only (message insert trigger).'),
  ('SP003', 'The message is empty: only blank characters, see private.is_blank (message insert trigger).'),
  ('SP004', 'The message is longer than private.message_body_max_length() characters (message insert trigger).'),
  ('SP005', 'Rate limit: at most 30 messages per minute per sender (message insert trigger).'),
  ('SP006', 'Read-only session: the JWT''s session_id is not a live auth session, as with dashboard impersonation (private.assert_live_session).'),
  ('SP007', 'The message id is already used by another message (send_message).'),
  ('SP008', 'Conversation not found, or not one of the caller''s (mark_conversation_read).'),
  ('SP009', 'A required argument is missing: recipient_id or message_id (send_message).'),
  ('SP010', 'The invitation code does not exist or was withdrawn (redeeming an invitation).'),
  ('SP011', 'The invitation code has expired (redeeming an invitation).'),
  ('SP012', 'Only trainees can redeem an invitation code (redeeming an invitation).');

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  role public.user_role not null,
  display_name text not null,
  avatar_url text,
  trainer_id uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint profiles_display_name_length
    check (not private.is_blank(display_name) and char_length(private.trim_blank(display_name)) <= 80),
  constraint profiles_avatar_url_https check (avatar_url is null or avatar_url ~ '^https?://'),
  constraint profiles_trainer_only_for_trainees check (trainer_id is null or role = 'trainee'),
  constraint profiles_not_own_trainer check (trainer_id is distinct from id)
);
comment on table public.profiles is 'One row per Spotter user (created automatically for each auth user). Trainees point at their parent trainer.';
comment on column public.profiles.id is 'The auth user this profile belongs to (auth.users.id).';
comment on column public.profiles.role is 'trainer, trainee or admin. Set at sign-up from the requested role (trainer or trainee); admin only in the dashboard.';
comment on column public.profiles.display_name is 'Name shown to the other party: 1–80 characters (code points) once blank characters at either end are left out.';
comment on column public.profiles.avatar_url is 'Optional picture URL; the app shows initials when empty.';
comment on column public.profiles.trainer_id is 'A trainee''s parent trainer. Set by redeeming an invitation; cleared when the trainer removes the trainee (which archives their conversation).';
comment on column public.profiles.created_at is 'When the profile was created.';
comment on column public.profiles.updated_at is 'When the profile last changed.';

create index profiles_trainer_id_idx on public.profiles (trainer_id, display_name);

create table public.invitations (
  code text primary key,
  trainer_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '14 days',
  revoked_at timestamptz,
  constraint invitations_code_format check (code ~ '^[A-HJ-NP-Z2-9]{8}$'),
  constraint invitations_expiry_after_creation check (expires_at > created_at)
);
comment on table public.invitations is 'Codes a trainer shares so trainees can link to them. A code can be used by several trainees until it expires or is revoked.';
comment on column public.invitations.code is 'Eight characters without look-alikes (no I, O, 0, 1), e.g. K7QW2XPM.';
comment on column public.invitations.trainer_id is 'The trainer a trainee becomes linked to by redeeming this code.';
comment on column public.invitations.created_at is 'When the code was created.';
comment on column public.invitations.expires_at is 'After this time the code can no longer be redeemed.';
comment on column public.invitations.revoked_at is 'Set when the trainer withdraws the code; it can no longer be redeemed.';

create index invitations_trainer_id_idx on public.invitations (trainer_id, created_at desc);

create table public.invitation_redemptions (
  id bigint generated always as identity primary key,
  code text not null references public.invitations (code) on delete cascade,
  trainee_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  trainer_id uuid references public.profiles (id) on delete set null,
  redeemed_at timestamptz not null default now()
);
comment on table public.invitation_redemptions is 'History of invitation codes redeemed. Inserting a row (redeem_invitation) links the trainee to the code''s trainer.';
comment on column public.invitation_redemptions.id is 'Sequence number of the redemption.';
comment on column public.invitation_redemptions.code is 'The invitation code that was redeemed.';
comment on column public.invitation_redemptions.trainee_id is 'The trainee who redeemed it.';
comment on column public.invitation_redemptions.trainer_id is 'The trainer the trainee was linked to (filled in by the database).';
comment on column public.invitation_redemptions.redeemed_at is 'When the code was redeemed.';

create index invitation_redemptions_code_idx on public.invitation_redemptions (code);
create index invitation_redemptions_trainee_id_idx on public.invitation_redemptions (trainee_id);
create index invitation_redemptions_trainer_id_idx on public.invitation_redemptions (trainer_id);

-- The caller's own link, readable by the caller. A view owned by the migration role reads
-- profiles without RLS, so the profiles policy can ask "who is my trainer?" without recursing
-- into itself. It lives in the unexposed private schema and only ever returns the caller's row.
create view private.my_link as
  select p.id, p.role, p.trainer_id
  from public.profiles p
  where p.id = (select auth.uid());
create view private.my_trainee_links as
  select p.trainer_id, p.id as trainee_id
  from public.profiles p
  where p.trainer_id is not null
    and (p.id = (select auth.uid()) or p.trainer_id = (select auth.uid()));
comment on view private.my_trainee_links is 'The live trainer–trainee links the caller is part of, for RLS policies (avoids policy recursion through profiles).';
grant select on private.my_trainee_links to authenticated;

comment on view private.my_link is 'The calling user''s role and trainer, for RLS policies (avoids policy recursion on profiles).';
grant select on private.my_link to authenticated;

-- =============================================================================================
-- Grants: RLS is the guard, and column grants keep role and trainer changes out of plain updates.
-- =============================================================================================
revoke all on public.profiles from anon, authenticated;
grant select on public.profiles to authenticated;
grant update (display_name, avatar_url, trainer_id) on public.profiles to authenticated;

revoke all on public.invitations from anon, authenticated;
grant select, delete on public.invitations to authenticated;
grant insert (code, expires_at) on public.invitations to authenticated;
grant update (revoked_at) on public.invitations to authenticated;

revoke all on public.invitation_redemptions from anon, authenticated;

revoke all on private.error_codes from public, anon, authenticated, service_role;
grant select on public.invitation_redemptions to authenticated;
grant insert (code) on public.invitation_redemptions to authenticated;

-- =============================================================================================
-- Trigger functions
-- =============================================================================================

-- A profile for every new auth user. Definer: runs inside Supabase Auth's insert into auth.users.
create function private.handle_new_user() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  requested text := coalesce(nullif(new.raw_user_meta_data ->> 'role', ''), 'trainee');
  name text := nullif(private.trim_blank(coalesce(new.raw_user_meta_data ->> 'display_name', '')), '');
begin
  if requested not in ('trainer', 'trainee') then
    raise exception 'role "%" cannot be chosen at sign-up; use trainer or trainee', requested
      using errcode = '22023';
  end if;
  insert into public.profiles (id, role, display_name)
  values (new.id, requested::public.user_role, coalesce(name, split_part(coalesce(new.email, 'user'), '@', 1)));
  return new;
end;
$$;
comment on function private.handle_new_user() is 'Creates the profile of a new auth user from its sign-up metadata (role, display_name). Security definer because it runs as Supabase Auth.';

-- Plain updates by signed-in users may change their own name and avatar, or clear a trainer
-- link (the trainer removing a trainee, or a trainee leaving). Invoker: it must see the caller's
-- role, which is the definer owner when the change comes from redeeming an invitation.
create function private.handle_profile_guard() returns trigger
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
     and (new.display_name is distinct from old.display_name or new.avatar_url is distinct from old.avatar_url) then
    raise exception 'only the owner can change a profile''s name or avatar'
      using errcode = '42501';
  end if;
  return new;
end;
$$;
comment on function private.handle_profile_guard() is 'Keeps role fixed and limits who may change names, avatars and trainer links through plain updates.';

-- Redeeming a code links the trainee. Definer: a trainee may not read other trainers'
-- invitations nor set their own trainer_id directly.
create function private.handle_invitation_redeemed() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  invitation public.invitations;
  redeemer public.profiles;
begin
  new.code := upper(btrim(new.code));
  new.redeemed_at := now();
  select * into invitation from public.invitations i where i.code = new.code;
  if not found or invitation.revoked_at is not null then
    raise exception 'invitation code % does not exist or was withdrawn', new.code
      using errcode = 'SP010', hint = 'Check the code with your trainer.';
  end if;
  if invitation.expires_at <= now() then
    raise exception 'invitation code % has expired', new.code
      using errcode = 'SP011', hint = 'Ask your trainer for a new code.';
  end if;
  select * into redeemer from public.profiles p where p.id = new.trainee_id for update;
  if not found or redeemer.role <> 'trainee' then
    raise exception 'only trainees can redeem an invitation code'
      using errcode = 'SP012';
  end if;
  new.trainer_id := invitation.trainer_id;
  if redeemer.trainer_id is distinct from invitation.trainer_id then
    update public.profiles set trainer_id = invitation.trainer_id where id = new.trainee_id;
  end if;
  return new;
end;
$$;
comment on function private.handle_invitation_redeemed() is 'Validates a redeemed code and links the trainee to its trainer. Security definer because trainees cannot read invitations or set trainer_id.';

-- A fresh random code for a new invitation, from crypto-random bytes.
create function private.handle_invitation_code() returns trigger
language plpgsql
set search_path = ''
as $$
declare
  alphabet constant text := 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  bytes bytea := uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid());
  code text := '';
begin
  if new.code is null then
    for i in 0..7 loop
      code := code || substr(alphabet, 1 + get_byte(bytes, i) % 32, 1);
    end loop;
    new.code := code;
  end if;
  new.trainer_id := coalesce((select auth.uid()), new.trainer_id);
  new.created_at := now();
  return new;
end;
$$;
comment on function private.handle_invitation_code() is 'Generates the invitation code and stamps the creating trainer.';

-- Helpers and trigger functions run without EXECUTE; no API role may call them directly, except what
-- runs as the writing user: the blank helpers inside check constraints, and the refusal the invoker
-- API functions raise.
revoke execute on function private.blank_pattern(), private.is_blank(text), private.trim_blank(text),
  private.refuse_not_linked()
  from public, anon, authenticated, service_role;
grant execute on function private.blank_pattern(), private.is_blank(text), private.trim_blank(text)
  to authenticated, service_role;
grant execute on function private.refuse_not_linked() to authenticated;
revoke execute on function private.handle_new_user(), private.handle_profile_guard(),
  private.handle_invitation_redeemed(), private.handle_invitation_code()
  from public, anon, authenticated, service_role;

-- =============================================================================================
-- Triggers
-- =============================================================================================
create trigger users_after_insert_create_profile
  after insert on auth.users
  for each row execute function private.handle_new_user();

create trigger profiles_before_update_guard
  before update on public.profiles
  for each row execute function private.handle_profile_guard();

create trigger invitations_before_insert_code
  before insert on public.invitations
  for each row execute function private.handle_invitation_code();

create trigger invitation_redemptions_before_insert_link
  before insert on public.invitation_redemptions
  for each row execute function private.handle_invitation_redeemed();

-- =============================================================================================
-- Row-level security
-- =============================================================================================
alter table private.error_codes enable row level security;
alter table public.profiles enable row level security;
alter table public.invitations enable row level security;
alter table public.invitation_redemptions enable row level security;

create policy "Users can update their own profile and trainers can release their trainees"
  on public.profiles for update
  to authenticated
  using (id = (select auth.uid()) or trainer_id = (select auth.uid()))
  with check (id = (select auth.uid()) or trainer_id is null);

create policy "Trainers can see their own invitations"
  on public.invitations for select
  to authenticated
  using (trainer_id = (select auth.uid()));

create policy "Trainers can create invitations"
  on public.invitations for insert
  to authenticated
  with check (
    trainer_id = (select auth.uid())
    and (select l.role from private.my_link l) = 'trainer'
  );

create policy "Trainers can revoke their invitations"
  on public.invitations for update
  to authenticated
  using (trainer_id = (select auth.uid()))
  with check (trainer_id = (select auth.uid()));

create policy "Trainers can delete their invitations"
  on public.invitations for delete
  to authenticated
  using (trainer_id = (select auth.uid()));

create policy "Trainees and trainers can see redemptions they are part of"
  on public.invitation_redemptions for select
  to authenticated
  using (trainee_id = (select auth.uid()) or trainer_id = (select auth.uid()));

create policy "Trainees can redeem codes for themselves"
  on public.invitation_redemptions for insert
  to authenticated
  with check (trainee_id = (select auth.uid()));

-- =============================================================================================
-- API functions
-- =============================================================================================
create function public.create_invitation() returns public.invitations
language sql
security invoker
set search_path = ''
as $$
  insert into public.invitations default values returning *;
$$;
comment on function public.create_invitation() is 'A trainer creates a new shareable invitation code (valid 14 days).';

create function public.redeem_invitation(code text) returns public.profiles
language plpgsql
security invoker
set search_path = ''
as $$
declare
  me public.profiles;
begin
  insert into public.invitation_redemptions (code) values (redeem_invitation.code);
  select * into me from public.profiles p where p.id = (select auth.uid());
  return me;
end;
$$;
comment on function public.redeem_invitation(text) is 'A signed-in trainee redeems a trainer''s code and becomes linked to that trainer. Returns the updated profile.';

create function public.remove_trainee(trainee_id uuid) returns void
language plpgsql
security invoker
set search_path = ''
as $$
begin
  -- No RETURNING: once unlinked, the trainee may no longer be visible to the trainer.
  update public.profiles p
  set trainer_id = null
  where p.id = remove_trainee.trainee_id and p.trainer_id = (select auth.uid());
  if not found then
    perform private.refuse_not_linked();
  end if;
end;
$$;
comment on function public.remove_trainee(uuid) is 'A trainer unlinks one of their trainees; their conversation is archived (read-only, history kept).';

revoke execute on function public.create_invitation(), public.redeem_invitation(text), public.remove_trainee(uuid)
  from public, anon;
grant execute on function public.create_invitation(), public.redeem_invitation(text), public.remove_trainee(uuid)
  to authenticated;

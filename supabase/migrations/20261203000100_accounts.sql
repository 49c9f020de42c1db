-- Accounts as on a hosted project: invitations people can share (a use limit and an expiry the
-- trainer sees, revocation, a check anyone may make before signing up) and the code given at
-- sign-up redeemed by the database itself when the account's email address is confirmed.
--
-- What an invitation code is worth is decided in one place, private.invitation_lookup: the check
-- before sign-up (check_invitation) and every redemption (the invitation_redemptions trigger) read
-- it. Deleting an account needs nothing new here: the profile goes with its auth user, which
-- archives the user's conversations for the other side with the history kept (sender_id becomes
-- null) and takes the user's devices, codes and unread total with it (messaging and push
-- migrations).

-- =============================================================================================
-- Error codes
-- =============================================================================================
-- A withdrawn code now has a code of its own, so the app can say "withdrawn" rather than "does
-- not exist"; the numbers already mapped keep their meaning otherwise.
update private.error_codes
set meaning = 'The invitation code does not exist (redeeming an invitation).'
where code = 'SP010';

insert into private.error_codes (code, meaning) values
  ('SP013', 'The invitation code was withdrawn by its trainer (redeeming an invitation).'),
  ('SP014', 'The invitation code has been used as many times as its trainer allowed (redeeming an invitation).');

-- =============================================================================================
-- Tables
-- =============================================================================================
alter table public.invitations
  add column max_uses integer,
  add column use_count integer not null default 0,
  add constraint invitations_max_uses_range check (max_uses is null or max_uses between 1 and 1000),
  add constraint invitations_use_count_range check (use_count >= 0);

comment on table public.invitations is 'Codes a trainer shares (as a code, a /join link or a QR code) so trainees can link to them. A code works until it expires, is revoked or has been used max_uses times.';
comment on column public.invitations.max_uses is 'How many trainees may use the code (1–1000); null for no limit.';
comment on column public.invitations.use_count is 'How many trainees have used the code (a trainee using it again is not counted twice; maintained by the redemption trigger).';
comment on column public.invitations.revoked_at is 'Set when the trainer withdraws the code (revoke_invitation); it can no longer be redeemed, and a withdrawn code stays withdrawn.';

-- What a code is worth, for the one code the caller names in the transaction-local setting
-- spotter.invitation_code. A view owned by the migration role reads invitations without RLS (no
-- one but the code's trainer may read the row itself), and answers only for a code the caller
-- already knows, so even a caller who could query it directly learns nothing about other codes.
create view private.invitation_lookup as
  select i.code, i.trainer_id, i.max_uses, i.use_count,
    case
      when i.revoked_at is not null then 'revoked'
      when i.expires_at <= now() then 'expired'
      when i.max_uses is not null and i.use_count >= i.max_uses then 'used_up'
      else 'valid'
    end as status
  from public.invitations i
  where i.code = nullif(current_setting('spotter.invitation_code', true), '');
comment on view private.invitation_lookup is 'The status of the one invitation code named by the setting spotter.invitation_code (valid, expired, revoked or used_up; no row when it does not exist): the one place that decides what a code is worth.';

-- =============================================================================================
-- Grants
-- =============================================================================================
-- check_invitation is the one thing anon may call: it runs as anon, so anon reads the lookup view.
grant usage on schema private to anon;
-- Only the status column: knowing a code tells a caller whether it works, and nothing else.
grant select (status) on private.invitation_lookup to anon, authenticated;
grant insert (max_uses) on public.invitations to authenticated;

-- =============================================================================================
-- Trigger functions
-- =============================================================================================

-- Redeeming a code links the trainee. Definer: a trainee may not read other trainers' invitations,
-- count their uses, nor set their own trainer_id directly. The code's row is locked first, so two
-- trainees redeeming its last use at once are counted one after the other and one is refused.
create or replace function private.handle_invitation_redeemed() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  invitation private.invitation_lookup;
  redeemer public.profiles;
  used_before boolean;
begin
  new.code := upper(btrim(new.code));
  new.redeemed_at := now();
  perform 1 from public.invitations i where i.code = new.code for update;
  perform set_config('spotter.invitation_code', new.code, true);
  select * into invitation from private.invitation_lookup;
  if not found then
    raise exception 'invitation code % does not exist', new.code
      using errcode = 'SP010', hint = 'Check the code with your trainer.';
  end if;
  if invitation.status = 'revoked' then
    raise exception 'invitation code % was withdrawn by its trainer', new.code
      using errcode = 'SP013', hint = 'Ask your trainer for a new code.';
  end if;
  if invitation.status = 'expired' then
    raise exception 'invitation code % has expired', new.code
      using errcode = 'SP011', hint = 'Ask your trainer for a new code.';
  end if;
  select * into redeemer from public.profiles p where p.id = new.trainee_id for update;
  if not found or redeemer.role <> 'trainee' then
    raise exception 'only trainees can redeem an invitation code'
      using errcode = 'SP012';
  end if;
  -- A trainee using the same code again (after leaving, say) does not use it up a second time.
  used_before := exists (
    select 1 from public.invitation_redemptions r
    where r.code = new.code and r.trainee_id = new.trainee_id
  );
  if not used_before then
    if invitation.status = 'used_up' then
      raise exception 'invitation code % has been used % times, its limit', new.code, invitation.max_uses
        using errcode = 'SP014', hint = 'Ask your trainer for a new code.';
    end if;
    update public.invitations i set use_count = i.use_count + 1 where i.code = new.code;
  end if;
  new.trainer_id := invitation.trainer_id;
  if redeemer.trainer_id is distinct from invitation.trainer_id then
    update public.profiles set trainer_id = invitation.trainer_id where id = new.trainee_id;
  end if;
  return new;
end;
$$;
comment on function private.handle_invitation_redeemed() is 'Validates a redeemed code (private.invitation_lookup), counts the use and links the trainee to its trainer. Security definer because trainees cannot read invitations or set trainer_id.';

-- Plain updates of an invitation may only withdraw it, stamped with the server's time.
create function private.handle_invitation_guard() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user not in ('authenticated', 'anon') then
    return new;
  end if;
  if old.revoked_at is not null and new.revoked_at is distinct from old.revoked_at then
    raise exception 'a withdrawn invitation code stays withdrawn' using errcode = '42501';
  end if;
  if old.revoked_at is null and new.revoked_at is not null then
    new.revoked_at := now();
  end if;
  return new;
end;
$$;
comment on function private.handle_invitation_guard() is 'Lets a trainer only withdraw a code (revoked_at set once, to the server''s time), never bring it back.';

-- The code given at sign-up (user_metadata.invitation_code) is redeemed when the account's email
-- address is confirmed: by the confirmation link, or at once where confirmations are off. Definer:
-- it runs inside Supabase Auth's write to auth.users, as Supabase Auth's role. A code that no
-- longer works must not fail the confirmation (the user would be stuck with an unconfirmed
-- account), so its refusal is left unredeemed: the code stays in the metadata, and the app, finding
-- no redemption of it, asks check_invitation why and says so.
create function private.handle_user_confirmed() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  code text := upper(btrim(coalesce(new.raw_user_meta_data ->> 'invitation_code', '')));
begin
  if code = '' or not exists (select 1 from public.profiles p where p.id = new.id and p.role = 'trainee') then
    return null;
  end if;
  begin
    insert into public.invitation_redemptions (code, trainee_id) values (code, new.id);
  exception
    when sqlstate 'SP010' or sqlstate 'SP011' or sqlstate 'SP013' or sqlstate 'SP014' then
      null;
  end;
  return null;
end;
$$;
comment on function private.handle_user_confirmed() is 'Redeems the invitation code a trainee gave at sign-up once their email address is confirmed; a code that no longer works is left unredeemed (the app explains why). Security definer because it runs as Supabase Auth.';

revoke execute on function private.handle_invitation_guard(), private.handle_user_confirmed()
  from public, anon, authenticated, service_role;

-- =============================================================================================
-- Triggers
-- =============================================================================================
create trigger invitations_before_update_guard
  before update on public.invitations
  for each row execute function private.handle_invitation_guard();

-- After the profile trigger (users_after_insert_create_profile sorts first): the profile exists.
create trigger users_after_insert_redeem_invitation
  after insert on auth.users
  for each row when (new.email_confirmed_at is not null)
  execute function private.handle_user_confirmed();

create trigger users_after_confirm_redeem_invitation
  after update of email_confirmed_at on auth.users
  for each row when (old.email_confirmed_at is null and new.email_confirmed_at is not null)
  execute function private.handle_user_confirmed();

-- =============================================================================================
-- API functions
-- =============================================================================================
-- A use limit and a validity period of the trainer's choosing; called with no arguments it makes
-- what it always made (no limit, 14 days). Replaces the argument-less function, which would make
-- a call without arguments ambiguous.
drop function public.create_invitation();

create function public.create_invitation(max_uses integer default null, valid_days integer default 14)
returns public.invitations
language plpgsql
security invoker
set search_path = ''
as $$
declare
  created public.invitations;
begin
  if create_invitation.valid_days is null or create_invitation.valid_days not between 1 and 90 then
    raise exception 'an invitation is valid for 1 to 90 days, not %', create_invitation.valid_days
      using errcode = '22023';
  end if;
  insert into public.invitations (max_uses, expires_at)
  values (create_invitation.max_uses, now() + make_interval(days => create_invitation.valid_days))
  returning * into created;
  return created;
end;
$$;
comment on function public.create_invitation(integer, integer) is 'A trainer creates a shareable invitation code for max_uses trainees (null: no limit; 1–1000) valid for valid_days days (1–90, 14 by default).';

create function public.revoke_invitation(code text) returns setof public.invitations
language plpgsql
security invoker
set search_path = ''
as $$
begin
  return query
  update public.invitations i
  set revoked_at = now()
  where i.code = upper(btrim(revoke_invitation.code)) and i.revoked_at is null
  returning *;
  if found then
    return;
  end if;
  -- Already withdrawn: the row as it is. Not one of mine (RLS hides it) or no such code: no row.
  return query
  select * from public.invitations i where i.code = upper(btrim(revoke_invitation.code));
end;
$$;
comment on function public.revoke_invitation(text) is 'A trainer withdraws one of their codes: nobody can redeem it any more (trainees already linked stay linked). Returns the code''s row (withdrawing it again changes nothing), or no row for a code that is not the caller''s.';

-- Anyone may ask, before creating an account, whether a code works. The answer is one word and
-- nothing else: not whose code it is, not how many uses are left.
create function public.check_invitation(code text) returns text
language plpgsql
volatile
security invoker
set search_path = ''
as $$
begin
  perform set_config('spotter.invitation_code', upper(btrim(coalesce(check_invitation.code, ''))), true);
  return coalesce((select l.status from private.invitation_lookup l), 'not_found');
end;
$$;
comment on function public.check_invitation(text) is 'Whether an invitation code can be used: valid, expired, revoked, used_up or not_found. Callable before signing in; reveals nothing else about the code.';

revoke execute on function public.create_invitation(integer, integer), public.revoke_invitation(text),
  public.check_invitation(text)
  from public, anon;
grant execute on function public.create_invitation(integer, integer), public.revoke_invitation(text)
  to authenticated;
grant execute on function public.check_invitation(text) to anon, authenticated;

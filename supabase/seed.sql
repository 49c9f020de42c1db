-- Demo data for local development and tests. Every account's password is spotter-demo.
--   coach@spotter.test  (trainer) with trainees alex@spotter.test and sam@spotter.test
--   rival@spotter.test  (trainer) with trainee jordan@spotter.test
--   solo@spotter.test   (trainee) with no trainer
-- coach ↔ alex have 80 messages (history pagination), coach ↔ sam and rival ↔ jordan a few.

insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous
)
select
  '00000000-0000-0000-0000-000000000000', u.id, 'authenticated', 'authenticated', u.email,
  extensions.crypt('spotter-demo', extensions.gen_salt('bf', 10)), now(),
  '', '', '', '',
  '{"provider":"email","providers":["email"]}'::jsonb,
  jsonb_build_object('role', u.role, 'display_name', u.display_name),
  now() - interval '30 days', now() - interval '30 days', false
from (values
  ('10000000-0000-4000-8000-000000000001'::uuid, 'coach@spotter.test', 'trainer', 'Casey Coach'),
  ('10000000-0000-4000-8000-000000000002'::uuid, 'alex@spotter.test', 'trainee', 'Alex Rivera'),
  ('10000000-0000-4000-8000-000000000003'::uuid, 'sam@spotter.test', 'trainee', 'Sam Lee'),
  ('10000000-0000-4000-8000-000000000004'::uuid, 'rival@spotter.test', 'trainer', 'Riley Rival'),
  ('10000000-0000-4000-8000-000000000005'::uuid, 'jordan@spotter.test', 'trainee', 'Jordan Kim'),
  ('10000000-0000-4000-8000-000000000006'::uuid, 'solo@spotter.test', 'trainee', 'Solo Park')
) as u (id, email, role, display_name);

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select u.id::text, u.id,
  jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true, 'phone_verified', false),
  'email', now(), u.created_at, u.created_at
from auth.users u
where u.email like '%@spotter.test';

-- Links (profiles were created by the auth.users trigger).
update public.profiles set trainer_id = '10000000-0000-4000-8000-000000000001'
where id in ('10000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000003');
update public.profiles set trainer_id = '10000000-0000-4000-8000-000000000004'
where id = '10000000-0000-4000-8000-000000000005';

insert into public.invitations (code, trainer_id, expires_at)
values ('CASEY234', '10000000-0000-4000-8000-000000000001', now() + interval '365 days'),
       ('RYLEE234', '10000000-0000-4000-8000-000000000004', now() + interval '365 days');

insert into public.conversations (id, trainer_id, trainee_id, created_at)
values
  ('20000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001',
   '10000000-0000-4000-8000-000000000002', now() - interval '10 days'),
  ('20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001',
   '10000000-0000-4000-8000-000000000003', now() - interval '3 days'),
  ('20000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000004',
   '10000000-0000-4000-8000-000000000005', now() - interval '2 days');

-- coach ↔ alex: 80 messages over ten days, alternating; the last two (one each way) are unread.
insert into public.messages (id, conversation_id, sender_id, body, created_at, read_at)
select
  ('30000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
  '20000000-0000-4000-8000-000000000001',
  case when n % 2 = 1 then '10000000-0000-4000-8000-000000000001'::uuid
       else '10000000-0000-4000-8000-000000000002'::uuid end,
  case when n % 2 = 1
    then (array['How did the session feel today?', 'Remember to log your sleep.', 'Great squat numbers this week!',
                'Let''s add a mobility block on Thursday.', 'Hydrate well before tomorrow''s run.'])[1 + n % 5]
    else (array['Felt strong, legs a bit sore.', 'Logged it, 7.5 hours.', 'Thanks coach!',
                'Sounds good.', 'Will do 💧'])[1 + n % 5]
  end || ' (#' || n || ')',
  now() - interval '10 days' + n * interval '3 hours',
  case when n <= 78 then now() - interval '10 days' + n * interval '3 hours' + interval '5 minutes' end
from generate_series(1, 80) as n;

insert into public.messages (id, conversation_id, sender_id, body, created_at, read_at)
values
  ('30000000-0000-4000-8001-000000000001', '20000000-0000-4000-8000-000000000002',
   '10000000-0000-4000-8000-000000000001', 'Welcome aboard, Sam! Here is your first week plan.',
   now() - interval '3 days', now() - interval '3 days' + interval '1 hour'),
  ('30000000-0000-4000-8001-000000000002', '20000000-0000-4000-8000-000000000002',
   '10000000-0000-4000-8000-000000000003', 'Thanks! Starting Monday.',
   now() - interval '2 days', null),
  ('30000000-0000-4000-8002-000000000001', '20000000-0000-4000-8000-000000000003',
   '10000000-0000-4000-8000-000000000004', 'Jordan, check the new program.',
   now() - interval '2 days', now() - interval '2 days' + interval '2 hours'),
  ('30000000-0000-4000-8002-000000000002', '20000000-0000-4000-8000-000000000003',
   '10000000-0000-4000-8000-000000000005', 'On it.',
   now() - interval '1 day', now() - interval '1 day' + interval '1 hour');

-- Seeded history needs no push notifications.
update private.push_outbox set done_at = now(), last_error = 'seed data';

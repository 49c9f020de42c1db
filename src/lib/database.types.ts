export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "broadcasts": {
                  Row: {
                    "attachments": NonNullable<Json>,"body": string,"created_at": string,"id": string,"recipient_count": number,"trainer_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "attachments"?: NonNullable<Json>,"body": string,"created_at"?: string,"id": string,"recipient_count": number,"trainer_id": string
                  }
                  Update: {
                    "attachments"?: NonNullable<Json>,"body"?: string,"created_at"?: string,"id"?: string,"recipient_count"?: number,"trainer_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "broadcasts_trainer_id_fkey"
      columns: ["trainer_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"conversation_settings": {
                  Row: {
                    "conversation_id": string,"marked_unread": boolean,"muted": boolean,"pinned_at": string | null,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "conversation_id": string,"marked_unread"?: boolean,"muted"?: boolean,"pinned_at"?: string | null,"updated_at"?: string,"user_id"?: string
                  }
                  Update: {
                    "conversation_id"?: string,"marked_unread"?: boolean,"muted"?: boolean,"pinned_at"?: string | null,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "conversation_settings_conversation_id_fkey"
      columns: ["conversation_id"]
isOneToOne: false
      referencedRelation: "conversations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "conversation_settings_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"conversations": {
                  Row: {
                    "archived_at": string | null,"archived_reason": string | null,"created_at": string,"id": string,"last_message_at": string | null,"last_message_id": string | null,"last_message_preview": string | null,"last_message_sender_id": string | null,"last_message_seq": number,"trainee_id": string | null,"trainee_unread_count": number,"trainer_id": string | null,"trainer_unread_count": number
                  }
                  ComputedFields: never
                  Insert: {
                    "archived_at"?: string | null,"archived_reason"?: string | null,"created_at"?: string,"id"?: string,"last_message_at"?: string | null,"last_message_id"?: string | null,"last_message_preview"?: string | null,"last_message_sender_id"?: string | null,"last_message_seq"?: number,"trainee_id"?: string | null,"trainee_unread_count"?: number,"trainer_id"?: string | null,"trainer_unread_count"?: number
                  }
                  Update: {
                    "archived_at"?: string | null,"archived_reason"?: string | null,"created_at"?: string,"id"?: string,"last_message_at"?: string | null,"last_message_id"?: string | null,"last_message_preview"?: string | null,"last_message_sender_id"?: string | null,"last_message_seq"?: number,"trainee_id"?: string | null,"trainee_unread_count"?: number,"trainer_id"?: string | null,"trainer_unread_count"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "conversations_last_message_sender_id_fkey"
      columns: ["last_message_sender_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "conversations_trainee_id_fkey"
      columns: ["trainee_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "conversations_trainer_id_fkey"
      columns: ["trainer_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"invitation_redemptions": {
                  Row: {
                    "code": string,"id": number,"redeemed_at": string,"trainee_id": string,"trainer_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "code": string,"id"?: never,"redeemed_at"?: string,"trainee_id"?: string,"trainer_id"?: string | null
                  }
                  Update: {
                    "code"?: string,"id"?: never,"redeemed_at"?: string,"trainee_id"?: string,"trainer_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "invitation_redemptions_code_fkey"
      columns: ["code"]
isOneToOne: false
      referencedRelation: "invitations"
      referencedColumns: ["code"]
    },{
      foreignKeyName: "invitation_redemptions_trainee_id_fkey"
      columns: ["trainee_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "invitation_redemptions_trainer_id_fkey"
      columns: ["trainer_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"invitations": {
                  Row: {
                    "code": string,"created_at": string,"expires_at": string,"max_uses": number | null,"revoked_at": string | null,"trainer_id": string,"use_count": number
                  }
                  ComputedFields: never
                  Insert: {
                    "code": string,"created_at"?: string,"expires_at"?: string,"max_uses"?: number | null,"revoked_at"?: string | null,"trainer_id"?: string,"use_count"?: number
                  }
                  Update: {
                    "code"?: string,"created_at"?: string,"expires_at"?: string,"max_uses"?: number | null,"revoked_at"?: string | null,"trainer_id"?: string,"use_count"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "invitations_trainer_id_fkey"
      columns: ["trainer_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"last_seen": {
                  Row: {
                    "hidden": boolean,"seen_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "hidden"?: boolean,"seen_at"?: string,"user_id"?: string
                  }
                  Update: {
                    "hidden"?: boolean,"seen_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "last_seen_user_id_fkey"
      columns: ["user_id"]
isOneToOne: true
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"message_attachments": {
                  Row: {
                    "conversation_id": string,"created_at": string,"id": string,"kind": string,"message_id": string,"meta": NonNullable<Json>,"mime_type": string,"original_name": string,"path": string,"position": number,"size_bytes": number,"uploader_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "conversation_id": string,"created_at"?: string,"id"?: string,"kind": string,"message_id": string,"meta"?: NonNullable<Json>,"mime_type": string,"original_name": string,"path": string,"position": number,"size_bytes": number,"uploader_id"?: string | null
                  }
                  Update: {
                    "conversation_id"?: string,"created_at"?: string,"id"?: string,"kind"?: string,"message_id"?: string,"meta"?: NonNullable<Json>,"mime_type"?: string,"original_name"?: string,"path"?: string,"position"?: number,"size_bytes"?: number,"uploader_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "message_attachments_conversation_id_fkey"
      columns: ["conversation_id"]
isOneToOne: false
      referencedRelation: "conversations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "message_attachments_message_id_fkey"
      columns: ["message_id"]
isOneToOne: false
      referencedRelation: "messages"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "message_attachments_uploader_id_fkey"
      columns: ["uploader_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"message_reactions": {
                  Row: {
                    "conversation_id": string,"created_at": string,"emoji": string,"message_id": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "conversation_id": string,"created_at"?: string,"emoji": string,"message_id": string,"user_id"?: string
                  }
                  Update: {
                    "conversation_id"?: string,"created_at"?: string,"emoji"?: string,"message_id"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "message_reactions_conversation_id_fkey"
      columns: ["conversation_id"]
isOneToOne: false
      referencedRelation: "conversations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "message_reactions_message_id_fkey"
      columns: ["message_id"]
isOneToOne: false
      referencedRelation: "messages"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "message_reactions_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"messages": {
                  Row: {
                    "attachment_count": number,"body": string,"broadcast_id": string | null,"conversation_id": string,"created_at": string,"deleted_at": string | null,"edited_at": string | null,"id": string,"read_at": string | null,"reply_to_id": string | null,"sender_id": string | null,"seq": number
                  }
                  ComputedFields: never
                  Insert: {
                    "attachment_count"?: number,"body": string,"broadcast_id"?: string | null,"conversation_id": string,"created_at"?: string,"deleted_at"?: string | null,"edited_at"?: string | null,"id"?: string,"read_at"?: string | null,"reply_to_id"?: string | null,"sender_id"?: string | null,"seq": number
                  }
                  Update: {
                    "attachment_count"?: number,"body"?: string,"broadcast_id"?: string | null,"conversation_id"?: string,"created_at"?: string,"deleted_at"?: string | null,"edited_at"?: string | null,"id"?: string,"read_at"?: string | null,"reply_to_id"?: string | null,"sender_id"?: string | null,"seq"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "messages_broadcast_id_fkey"
      columns: ["broadcast_id"]
isOneToOne: false
      referencedRelation: "broadcasts"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "messages_conversation_id_fkey"
      columns: ["conversation_id"]
isOneToOne: false
      referencedRelation: "conversations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "messages_reply_to_id_fkey"
      columns: ["reply_to_id"]
isOneToOne: false
      referencedRelation: "messages"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "messages_sender_id_fkey"
      columns: ["sender_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"profiles": {
                  Row: {
                    "avatar_path": string | null,"avatar_url": string | null,"created_at": string,"display_name": string,"id": string,"role": Database["public"]['Enums']["user_role"],"time_zone": string | null,"trainer_id": string | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "avatar_path"?: string | null,"avatar_url"?: string | null,"created_at"?: string,"display_name": string,"id": string,"role": Database["public"]['Enums']["user_role"],"time_zone"?: string | null,"trainer_id"?: string | null,"updated_at"?: string
                  }
                  Update: {
                    "avatar_path"?: string | null,"avatar_url"?: string | null,"created_at"?: string,"display_name"?: string,"id"?: string,"role"?: Database["public"]['Enums']["user_role"],"time_zone"?: string | null,"trainer_id"?: string | null,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "profiles_trainer_id_fkey"
      columns: ["trainer_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"push_subscriptions": {
                  Row: {
                    "auth": string,"created_at": string,"endpoint": string,"id": string,"last_success_at": string | null,"p256dh": string,"user_agent": string | null,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "auth": string,"created_at"?: string,"endpoint": string,"id"?: string,"last_success_at"?: string | null,"p256dh": string,"user_agent"?: string | null,"user_id"?: string
                  }
                  Update: {
                    "auth"?: string,"created_at"?: string,"endpoint"?: string,"id"?: string,"last_success_at"?: string | null,"p256dh"?: string,"user_agent"?: string | null,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "push_subscriptions_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"saved_replies": {
                  Row: {
                    "body": string,"created_at": string,"id": string,"name": string,"trainer_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "body": string,"created_at"?: string,"id"?: string,"name": string,"trainer_id"?: string,"updated_at"?: string
                  }
                  Update: {
                    "body"?: string,"created_at"?: string,"id"?: string,"name"?: string,"trainer_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "saved_replies_trainer_id_fkey"
      columns: ["trainer_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"scheduled_broadcasts": {
                  Row: {
                    "attachments": NonNullable<Json>,"body": string,"created_at": string,"failure": string | null,"id": string,"outcomes": Json | null,"recipient_ids": (string)[],"send_at": string,"sent_at": string | null,"status": string,"trainer_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "attachments"?: NonNullable<Json>,"body": string,"created_at"?: string,"failure"?: string | null,"id": string,"outcomes"?: Json | null,"recipient_ids": (string)[],"send_at": string,"sent_at"?: string | null,"status"?: string,"trainer_id": string,"updated_at"?: string
                  }
                  Update: {
                    "attachments"?: NonNullable<Json>,"body"?: string,"created_at"?: string,"failure"?: string | null,"id"?: string,"outcomes"?: Json | null,"recipient_ids"?: (string)[],"send_at"?: string,"sent_at"?: string | null,"status"?: string,"trainer_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "scheduled_broadcasts_trainer_id_fkey"
      columns: ["trainer_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"scheduled_messages": {
                  Row: {
                    "body": string,"created_at": string,"failure": string | null,"id": string,"recipient_id": string,"send_at": string,"sent_at": string | null,"status": string,"trainer_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "body": string,"created_at"?: string,"failure"?: string | null,"id": string,"recipient_id": string,"send_at": string,"sent_at"?: string | null,"status"?: string,"trainer_id"?: string,"updated_at"?: string
                  }
                  Update: {
                    "body"?: string,"created_at"?: string,"failure"?: string | null,"id"?: string,"recipient_id"?: string,"send_at"?: string,"sent_at"?: string | null,"status"?: string,"trainer_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "scheduled_messages_recipient_id_fkey"
      columns: ["recipient_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "scheduled_messages_trainer_id_fkey"
      columns: ["trainer_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"trainee_notes": {
                  Row: {
                    "body": string,"trainee_id": string,"trainer_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "body": string,"trainee_id": string,"trainer_id"?: string,"updated_at"?: string
                  }
                  Update: {
                    "body"?: string,"trainee_id"?: string,"trainer_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "trainee_notes_trainee_id_fkey"
      columns: ["trainee_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "trainee_notes_trainer_id_fkey"
      columns: ["trainer_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                }
          }
          Views: {
            [_ in never]: never
          }
          Functions: {
            "broadcast_message":
{ Args: { "attachments"?: Json,"body": string,"broadcast_id": string,"recipient_ids": (string)[] }; Returns: {
              "conversation_id": string,"message_id": string,"outcome": string,"recipient_id": string
            }[]
                           },
"broadcast_summaries":
{ Args: { "before_created_at"?: string,"before_id"?: string,"page_size"?: number }; Returns: {
              "attachments": Json,"body": string,"created_at": string,"id": string,"read_count": number,"recipient_count": number,"sent_count": number
            }[]
                           },
"check_invitation":
{ Args: { "code": string }; Returns: string
                           },
"create_invitation":
{ Args: { "max_uses"?: number,"valid_days"?: number }; Returns: {
              "code": string,
"created_at": string,
"expires_at": string,
"max_uses": number | null,
"revoked_at": string | null,
"trainer_id": string,
"use_count": number
            }
                          SetofOptions: {
        from: "*"
        to: "invitations"
        isOneToOne: true
        isSetofReturn: false
      } },
"delete_message":
{ Args: { "message_id": string }; Returns: {
              "attachment_count": number,
"body": string,
"broadcast_id": string | null,
"conversation_id": string,
"created_at": string,
"deleted_at": string | null,
"edited_at": string | null,
"id": string,
"read_at": string | null,
"reply_to_id": string | null,
"sender_id": string | null,
"seq": number
            }
                          SetofOptions: {
        from: "*"
        to: "messages"
        isOneToOne: true
        isSetofReturn: false
      } },
"edit_message":
{ Args: { "body": string,"message_id": string }; Returns: {
              "attachment_count": number,
"body": string,
"broadcast_id": string | null,
"conversation_id": string,
"created_at": string,
"deleted_at": string | null,
"edited_at": string | null,
"id": string,
"read_at": string | null,
"reply_to_id": string | null,
"sender_id": string | null,
"seq": number
            }
                          SetofOptions: {
        from: "*"
        to: "messages"
        isOneToOne: true
        isSetofReturn: false
      } },
"list_conversations":
{ Args: { "archived"?: boolean,"before_id"?: string,"before_last_message_at"?: string,"before_pinned"?: boolean,"name_query"?: string,"page_size"?: number,"unread_only"?: boolean }; Returns: {
              "archived_at": string,"archived_reason": string,"id": string,"last_message_at": string,"last_message_preview": string,"last_message_sender_id": string,"last_message_seq": number,"marked_unread": boolean,"muted": boolean,"other_party_avatar_url": string,"other_party_id": string,"other_party_last_seen_at": string,"other_party_name": string,"other_party_role": Database["public"]['Enums']["user_role"],"pinned_at": string,"unread_count": number
            }[]
                           },
"list_messages":
{ Args: { "before_seq"?: number,"conversation_id": string,"page_size"?: number }; Returns: {
              "attachment_count": number,
"body": string,
"broadcast_id": string | null,
"conversation_id": string,
"created_at": string,
"deleted_at": string | null,
"edited_at": string | null,
"id": string,
"read_at": string | null,
"reply_to_id": string | null,
"sender_id": string | null,
"seq": number
            }[]
                          SetofOptions: {
        from: "*"
        to: "messages"
        isOneToOne: false
        isSetofReturn: true
      } },
"mark_conversation_read":
{ Args: { "conversation_id": string }; Returns: number
                           },
"mark_conversation_unread":
{ Args: { "conversation_id": string }; Returns: {
              "conversation_id": string,
"marked_unread": boolean,
"muted": boolean,
"pinned_at": string | null,
"updated_at": string,
"user_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "conversation_settings"
        isOneToOne: true
        isSetofReturn: false
      } },
"redeem_invitation":
{ Args: { "code": string }; Returns: {
              "avatar_path": string | null,
"avatar_url": string | null,
"created_at": string,
"display_name": string,
"id": string,
"role": Database["public"]['Enums']["user_role"],
"time_zone": string | null,
"trainer_id": string | null,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "profiles"
        isOneToOne: true
        isSetofReturn: false
      } },
"remove_trainee":
{ Args: { "trainee_id": string }; Returns: undefined
                           },
"revoke_invitation":
{ Args: { "code": string }; Returns: {
              "code": string,
"created_at": string,
"expires_at": string,
"max_uses": number | null,
"revoked_at": string | null,
"trainer_id": string,
"use_count": number
            }[]
                          SetofOptions: {
        from: "*"
        to: "invitations"
        isOneToOne: false
        isSetofReturn: true
      } },
"save_trainee_note":
{ Args: { "body": string,"trainee_id": string }; Returns: {
              "body": string,
"trainee_id": string,
"trainer_id": string,
"updated_at": string
            }[]
                          SetofOptions: {
        from: "*"
        to: "trainee_notes"
        isOneToOne: false
        isSetofReturn: true
      } },
"schedule_broadcast":
{ Args: { "attachments"?: Json,"body": string,"broadcast_id": string,"recipient_ids": (string)[],"send_at": string }; Returns: {
              "attachments": NonNullable<Json>,
"body": string,
"created_at": string,
"failure": string | null,
"id": string,
"outcomes": Json | null,
"recipient_ids": (string)[],
"send_at": string,
"sent_at": string | null,
"status": string,
"trainer_id": string,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "scheduled_broadcasts"
        isOneToOne: true
        isSetofReturn: false
      } },
"schedule_message":
{ Args: { "body": string,"message_id": string,"recipient_id": string,"send_at": string }; Returns: {
              "body": string,
"created_at": string,
"failure": string | null,
"id": string,
"recipient_id": string,
"send_at": string,
"sent_at": string | null,
"status": string,
"trainer_id": string,
"updated_at": string
            }
                          SetofOptions: {
        from: "*"
        to: "scheduled_messages"
        isOneToOne: true
        isSetofReturn: false
      } },
"search_messages":
{ Args: { "before_created_at"?: string,"before_id"?: string,"page_size"?: number,"query": string,"within_conversation_id"?: string }; Returns: {
              "conversation_id": string,"created_at": string,"headline": string,"id": string,"other_party_id": string,"other_party_name": string,"sender_id": string,"seq": number
            }[]
                           },
"seconds_until_sending":
{ Args: Record<PropertyKey, never>; Returns: number
                           },
"send_message":
{ Args: { "attachments"?: Json,"body": string,"message_id": string,"recipient_id": string,"reply_to_id"?: string }; Returns: {
              "attachment_count": number,
"body": string,
"broadcast_id": string | null,
"conversation_id": string,
"created_at": string,
"deleted_at": string | null,
"edited_at": string | null,
"id": string,
"read_at": string | null,
"reply_to_id": string | null,
"sender_id": string | null,
"seq": number
            }
                          SetofOptions: {
        from: "*"
        to: "messages"
        isOneToOne: true
        isSetofReturn: false
      } },
"set_conversation_muted":
{ Args: { "conversation_id": string,"muted": boolean }; Returns: {
              "conversation_id": string,
"marked_unread": boolean,
"muted": boolean,
"pinned_at": string | null,
"updated_at": string,
"user_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "conversation_settings"
        isOneToOne: true
        isSetofReturn: false
      } },
"set_conversation_pinned":
{ Args: { "conversation_id": string,"pinned": boolean }; Returns: {
              "conversation_id": string,
"marked_unread": boolean,
"muted": boolean,
"pinned_at": string | null,
"updated_at": string,
"user_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "conversation_settings"
        isOneToOne: true
        isSetofReturn: false
      } },
"set_last_seen_hidden":
{ Args: { "hidden": boolean }; Returns: undefined
                           },
"toggle_reaction":
{ Args: { "emoji": string,"message_id": string }; Returns: Json
                           },
"touch_last_seen":
{ Args: Record<PropertyKey, never>; Returns: string
                           },
"trainee_profile":
{ Args: { "trainee_id": string }; Returns: {
              "avatar_url": string,"conversation_id": string,"display_name": string,"id": string,"joined_at": string,"last_seen_at": string,"linked": boolean,"linked_at": string,"note": string,"note_updated_at": string
            }[]
                           },
"unread_total":
{ Args: Record<PropertyKey, never>; Returns: number
                           }
          }
          Enums: {
            "user_role": "trainer"|"trainee"|"admin"
          }
          CompositeTypes: {
            [_ in never]: never
          }
        }
}

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
  ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R
    }
    ? R
    : never
  : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I
    }
    ? I
    : never
  : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U
    }
    ? U
    : never
  : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
  ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
  ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never

export const Constants = {
  "public": {
          Enums: {
            "user_role": ["trainer", "trainee", "admin"]
          }
        }
} as const

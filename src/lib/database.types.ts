export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "conversations": {
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
                    "code": string,"created_at": string,"expires_at": string,"revoked_at": string | null,"trainer_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "code": string,"created_at"?: string,"expires_at"?: string,"revoked_at"?: string | null,"trainer_id"?: string
                  }
                  Update: {
                    "code"?: string,"created_at"?: string,"expires_at"?: string,"revoked_at"?: string | null,"trainer_id"?: string
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
                },"messages": {
                  Row: {
                    "body": string,"conversation_id": string,"created_at": string,"id": string,"read_at": string | null,"sender_id": string | null,"seq": number
                  }
                  ComputedFields: never
                  Insert: {
                    "body": string,"conversation_id": string,"created_at"?: string,"id"?: string,"read_at"?: string | null,"sender_id"?: string | null,"seq": number
                  }
                  Update: {
                    "body"?: string,"conversation_id"?: string,"created_at"?: string,"id"?: string,"read_at"?: string | null,"sender_id"?: string | null,"seq"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "messages_conversation_id_fkey"
      columns: ["conversation_id"]
isOneToOne: false
      referencedRelation: "conversations"
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
                    "avatar_url": string | null,"created_at": string,"display_name": string,"id": string,"role": Database["public"]['Enums']["user_role"],"trainer_id": string | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "avatar_url"?: string | null,"created_at"?: string,"display_name": string,"id": string,"role": Database["public"]['Enums']["user_role"],"trainer_id"?: string | null,"updated_at"?: string
                  }
                  Update: {
                    "avatar_url"?: string | null,"created_at"?: string,"display_name"?: string,"id"?: string,"role"?: Database["public"]['Enums']["user_role"],"trainer_id"?: string | null,"updated_at"?: string
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
                }
          }
          Views: {
            [_ in never]: never
          }
          Functions: {
            "create_invitation":
{ Args: Record<PropertyKey, never>; Returns: {
              "code": string,
"created_at": string,
"expires_at": string,
"revoked_at": string | null,
"trainer_id": string
            }
                          SetofOptions: {
        from: "*"
        to: "invitations"
        isOneToOne: true
        isSetofReturn: false
      } },
"list_conversations":
{ Args: { "before_id"?: string,"before_last_message_at"?: string,"page_size"?: number }; Returns: {
              "archived_at": string,"archived_reason": string,"id": string,"last_message_at": string,"last_message_preview": string,"last_message_sender_id": string,"last_message_seq": number,"other_party_avatar_url": string,"other_party_id": string,"other_party_name": string,"other_party_role": Database["public"]['Enums']["user_role"],"unread_count": number
            }[]
                           },
"list_messages":
{ Args: { "before_seq"?: number,"conversation_id": string,"page_size"?: number }; Returns: {
              "body": string,
"conversation_id": string,
"created_at": string,
"id": string,
"read_at": string | null,
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
"redeem_invitation":
{ Args: { "code": string }; Returns: {
              "avatar_url": string | null,
"created_at": string,
"display_name": string,
"id": string,
"role": Database["public"]['Enums']["user_role"],
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
"seconds_until_sending":
{ Args: Record<PropertyKey, never>; Returns: number
                           },
"send_message":
{ Args: { "body": string,"message_id": string,"recipient_id": string }; Returns: {
              "body": string,
"conversation_id": string,
"created_at": string,
"id": string,
"read_at": string | null,
"sender_id": string | null,
"seq": number
            }
                          SetofOptions: {
        from: "*"
        to: "messages"
        isOneToOne: true
        isSetofReturn: false
      } },
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

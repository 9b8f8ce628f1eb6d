// The shapes of the portal's answers as Otklik shows them to employees (the СНИЛС masked).
import { Type } from "@sinclair/typebox";
import { Id } from "../http/schemas.ts";

export const PortalAccountView = Type.Object({
  id: Type.String(),
  fullName: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  snilsMasked: Type.Union([Type.String(), Type.Null()]),
  locked: Type.Boolean(),
});

/** Every action names the call it is done on: the account verified on that call is the only one it may touch. */
export const OnCall = {
  callId: Id({ description: "Звонок, на котором подтверждена личность владельца учётной записи" }),
};

import { PaymentError } from "../domain/errors.ts";
import type { Authenticator } from "./api-key-authenticator.ts";
import { bearerToken, type Principal, type Scope } from "./api-keys.ts";

export const authErrors = {
  missingKey: () =>
    new PaymentError(
      "unauthenticated",
      "authentication_error",
      "api_key_missing",
      "Send an API key: Authorization: Bearer <key>",
      "Authorization",
    ),
  invalidKey: () =>
    new PaymentError(
      "unauthenticated",
      "authentication_error",
      "api_key_invalid",
      "Unknown or revoked API key",
      "Authorization",
    ),
  missingScope: (scope: Scope) =>
    new PaymentError(
      "forbidden",
      "permission_error",
      "insufficient_scope",
      `This API key lacks the ${scope} scope`,
    ),
};

/** The caller behind an Authorization header, if its key holds `scope`; 401 or 403 otherwise. */
export async function authorize(
  authenticator: Authenticator,
  authorization: string | undefined,
  scope: Scope,
): Promise<Principal> {
  const secret = bearerToken(authorization);
  if (!secret) throw authErrors.missingKey();
  const principal = await authenticator.authenticate(secret);
  if (!principal) throw authErrors.invalidKey();
  if (!principal.scopes.has(scope)) throw authErrors.missingScope(scope);
  return principal;
}

import { z } from "zod";
import { secret, secretList, section, setting } from "./setting.ts";

export const keysSection = section({
  title: "Encryption at rest",
  intro: "docs/security.md: envelope encryption of sensitive columns. Rotation: `npm run keys:rotate`.",
  shape: {
    DATA_KEKS: setting(secretList, {
      description: 'Every active key-encryption key, "id:base64,…", the newest last (it seals).',
      production: "this or DATA_KEK_ID + DATA_KEK",
      secret: true,
      type: "comma-separated list",
    }),
    DATA_KEK_ID: setting(z.string().optional(), { description: "Id of DATA_KEK." }),
    DATA_KEK: setting(secret, {
      description: "One more key-encryption key (32 bytes, base64); with DATA_KEK_ID, the current one.",
      production: "this (with DATA_KEK_ID) or DATA_KEKS",
      secret: true,
    }),
  },
});

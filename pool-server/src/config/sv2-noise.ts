import Type from 'typebox';

/**
 * Stratum V2's Noise keys: the pool's static key, the certificate the authority key
 * signed for it, and where the authority key is (sv2-spec 4.5.3, 4.7). A section of
 * ConfigSchema (config.ts); the files are read by stratum/v2/noise-keys.ts.
 */
export const Sv2NoiseSettings = Type.Object(
  {
    staticKeyFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The pool's Noise static key (secp256k1, PKCS#8 PEM, mode 0600). Unset: dataDir/sv2-static-key.pem, made with its certificate on first start; `hashwatt sv2 key rotate` replaces both.",
      }),
    ),
    certificateFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The authority's certificate for the static key (JSON). Unset: dataDir/sv2-certificate.json. `hashwatt sv2 certificate renew` issues a new one.",
      }),
    ),
    authorityKeyFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'The authority secret key (secp256k1, PKCS#8 PEM, mode 0600) that signs certificates: read only to make or renew one. Unset: dataDir/sv2-authority-key.pem, made on first start if no certificate exists; move it offline afterwards.',
      }),
    ),
    authorityPublicKey: Type.Optional(
      Type.String({
        pattern: '^[1-9A-HJ-NP-Za-km-z]{40,60}$',
        description:
          'The authority public key miners pin, base58-check as sv2-spec 4.7 writes it. Set: start-up refuses a certificate signed by any other key.',
      }),
    ),
    certificateDays: Type.Integer({
      default: 365,
      minimum: 1,
      maximum: 3650,
      description:
        'A new certificate is valid for this many days; start-up warns 30 days before the current one expires.',
    }),
  },
  { default: {} },
);

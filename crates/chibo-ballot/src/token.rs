//! Eligibility tokens: RSA blind signatures (RFC 9474, RSABSSA-SHA384-PSS-Randomized).
//!
//! A member's phone makes a credential (sk_c, pk_c), blinds H(vote_id ‖ pk_c) and has the head of
//! the counting committee sign it; the head's phone signs one request per roll entry without
//! seeing pk_c, so no one can later link the token (shown at cast) to the member (seen at issue).
//! Phone and paper tokens use separate keys, so the record can check cast ≤ issued per channel.

use blind_rsa_signatures::{
    BlindSignature, BlindingResult, KeyPair, MessageRandomizer, PSS, PublicKey, Randomized, Secret,
    SecretKey, Sha384, Signature,
};
use elastic_elgamal::Keypair;
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};

use crate::codec::{self, b64_32, b64_vec};
use crate::ids::{Channel, VoteId};
use crate::{G, TokenError};

/// RSA modulus size of the token keys.
pub const TOKEN_KEY_BITS: usize = 2048;

pub(crate) type TokenPublicKey = PublicKey<Sha384, PSS, Randomized>;
type TokenSecretKey = SecretKey<Sha384, PSS, Randomized>;

/// The message a token signs: H(vote_id ‖ pk_c).
pub(crate) fn token_message(
    vote_id: &VoteId,
    credential: &elastic_elgamal::PublicKey<G>,
) -> [u8; 32] {
    codec::hash_parts(
        b"chibo-ballot/v1/token",
        &[&vote_id.0, credential.as_bytes()],
    )
}

/// A token: the unblinded signature and its RFC 9474 message randomizer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// The 32-byte prefix the signer never saw.
    #[serde(with = "b64_32")]
    pub randomizer: [u8; 32],
    /// The RSA-PSS signature.
    #[serde(with = "b64_vec")]
    pub signature: Vec<u8>,
}

impl Token {
    pub(crate) fn verify(
        &self,
        key: &TokenPublicKey,
        vote_id: &VoteId,
        credential: &elastic_elgamal::PublicKey<G>,
    ) -> bool {
        key.verify(
            &Signature(self.signature.clone()),
            Some(MessageRandomizer(self.randomizer)),
            token_message(vote_id, credential),
        )
        .is_ok()
    }
}

/// The head of the counting committee's token keys (secret; they never leave that phone).
#[derive(Debug, Clone)]
pub struct TokenIssuer {
    phone: TokenSecretKey,
    paper: TokenSecretKey,
}

/// The issuer's keys as the head's phone stores them (DER, base64url).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenIssuerState {
    /// Phone-channel secret key.
    #[serde(with = "b64_vec")]
    pub phone: Vec<u8>,
    /// Paper-channel secret key.
    #[serde(with = "b64_vec")]
    pub paper: Vec<u8>,
}

impl TokenIssuer {
    /// Makes both keys; returns the issuer and the public keys for the manifest.
    pub fn generate<R: CryptoRng>(
        rng: &mut R,
    ) -> Result<(TokenIssuer, crate::TokenKeys), TokenError> {
        let phone = KeyPair::<Sha384, PSS, Randomized>::generate(rng, TOKEN_KEY_BITS)
            .map_err(|_| TokenError::KeyGeneration)?;
        let paper = KeyPair::<Sha384, PSS, Randomized>::generate(rng, TOKEN_KEY_BITS)
            .map_err(|_| TokenError::KeyGeneration)?;
        let keys = crate::TokenKeys {
            phone: phone.pk.to_der().map_err(|_| TokenError::KeyGeneration)?,
            paper: paper.pk.to_der().map_err(|_| TokenError::KeyGeneration)?,
        };
        Ok((
            TokenIssuer {
                phone: phone.sk,
                paper: paper.sk,
            },
            keys,
        ))
    }

    /// The state to keep on the head's phone.
    pub fn to_state(&self) -> Result<TokenIssuerState, TokenError> {
        Ok(TokenIssuerState {
            phone: self.phone.to_der().map_err(|_| TokenError::Encoding)?,
            paper: self.paper.to_der().map_err(|_| TokenError::Encoding)?,
        })
    }

    /// Restores from the stored state.
    pub fn from_state(state: &TokenIssuerState) -> Result<TokenIssuer, TokenError> {
        Ok(TokenIssuer {
            phone: TokenSecretKey::from_der(&state.phone).map_err(|_| TokenError::Encoding)?,
            paper: TokenSecretKey::from_der(&state.paper).map_err(|_| TokenError::Encoding)?,
        })
    }

    /// Signs one blinded request for `channel`. The caller (the head's phone) signs each roll
    /// entry once; it never sees what it signs.
    pub fn sign<R: CryptoRng>(
        &self,
        channel: Channel,
        request: &TokenRequest,
        rng: &mut R,
    ) -> Result<BlindedToken, TokenError> {
        let key = match channel {
            Channel::Phone => &self.phone,
            Channel::Paper => &self.paper,
        };
        let sig = key
            .blind_sign_with_rng(rng, &request.blinded)
            .map_err(|_| TokenError::BadRequest)?;
        Ok(BlindedToken { blinded: sig.0 })
    }

    /// A paper ballot's voter: the committee enters a valid paper ballot as an ordinary ballot,
    /// with a fresh credential and a paper token made here (blinded like any other, so the code
    /// path is the one the verifier checks).
    pub fn paper_voter<R: CryptoRng>(
        &self,
        vote_id: &VoteId,
        paper_key_der: &[u8],
        rng: &mut R,
    ) -> Result<Voter, TokenError> {
        let credential = Credential::generate(rng);
        let (request, pending) =
            credential.request_token(vote_id, Channel::Paper, paper_key_der, rng)?;
        let signed = self.sign(Channel::Paper, &request, rng)?;
        pending.finish(&signed)
    }
}

/// A voter's credential (sk_c, pk_c), made on the phone; secret.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credential {
    pub(crate) keypair: Keypair<G>,
}

impl Credential {
    /// A fresh credential.
    pub fn generate<R: CryptoRng>(rng: &mut R) -> Credential {
        Credential {
            keypair: Keypair::generate(rng),
        }
    }

    /// Blinds H(vote_id ‖ pk_c) for the channel's token key (DER from the manifest).
    pub fn request_token<R: CryptoRng>(
        self,
        vote_id: &VoteId,
        channel: Channel,
        token_key_der: &[u8],
        rng: &mut R,
    ) -> Result<(TokenRequest, PendingToken), TokenError> {
        let key = TokenPublicKey::from_der(token_key_der).map_err(|_| TokenError::Encoding)?;
        let msg = token_message(vote_id, self.keypair.public());
        let blinding = key.blind(rng, msg).map_err(|_| TokenError::BadRequest)?;
        let randomizer = blinding
            .msg_randomizer
            .map(|r| r.0)
            .ok_or(TokenError::BadRequest)?;
        Ok((
            TokenRequest {
                blinded: blinding.blind_message.0.clone(),
            },
            PendingToken {
                vote_id: *vote_id,
                channel,
                token_key: token_key_der.to_vec(),
                credential: self,
                secret: blinding.secret.0.clone(),
                randomizer,
                blinded: blinding.blind_message.0,
            },
        ))
    }
}

/// The blinded request sent (through the server) to the head's phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    /// The blinded message.
    #[serde(with = "b64_vec")]
    pub blinded: Vec<u8>,
}

/// The head's blind signature, sent back to the member's phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlindedToken {
    /// The blind signature.
    #[serde(with = "b64_vec")]
    pub blinded: Vec<u8>,
}

/// What the phone keeps between request and signature (secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingToken {
    vote_id: VoteId,
    channel: Channel,
    #[serde(with = "b64_vec")]
    token_key: Vec<u8>,
    credential: Credential,
    #[serde(with = "b64_vec")]
    secret: Vec<u8>,
    #[serde(with = "b64_32")]
    randomizer: [u8; 32],
    #[serde(with = "b64_vec")]
    blinded: Vec<u8>,
}

impl PendingToken {
    /// Unblinds the signature and checks the token.
    pub fn finish(self, signed: &BlindedToken) -> Result<Voter, TokenError> {
        let key = TokenPublicKey::from_der(&self.token_key).map_err(|_| TokenError::Encoding)?;
        let blinding = BlindingResult {
            blind_message: blind_rsa_signatures::BlindMessage(self.blinded),
            secret: Secret(self.secret),
            msg_randomizer: Some(MessageRandomizer(self.randomizer)),
        };
        let msg = token_message(&self.vote_id, self.credential.keypair.public());
        let sig = key
            .finalize(&BlindSignature(signed.blinded.clone()), &blinding, msg)
            .map_err(|_| TokenError::BadSignature)?;
        Ok(Voter {
            vote_id: self.vote_id,
            channel: self.channel,
            credential: self.credential,
            token: Token {
                randomizer: self.randomizer,
                signature: sig.0,
            },
        })
    }
}

/// A credential with its token: what a phone needs to cast (secret until the vote is over).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Voter {
    /// The vote.
    pub vote_id: VoteId,
    /// The token's channel.
    pub channel: Channel,
    /// The credential.
    pub credential: Credential,
    /// The token.
    pub token: Token,
}

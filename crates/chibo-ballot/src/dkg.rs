//! Key generation among the counting committee's phones (Pedersen DKG with hash commitments, from
//! elastic-elgamal), k of n. The server only relays: round messages are public, and the secret
//! shares travel sealed (ChaCha20-Poly1305 under a key from the two phones' transport keys, so
//! only the addressee can open them and only the named sender can have made them). No secret
//! leaves a phone in the clear; no key is ever on the server.
//!
//! Each phone calls, in order: [`DkgRound1::start`] → publish [`Round1Msg`];
//! [`DkgRound1::round2`] with all n round-1 messages → publish [`Round2Msg`];
//! [`DkgRound2::round3`] with all n round-2 messages → relay the [`SealedShare`]s;
//! [`DkgRound3::finish`] with the n−1 shares addressed to it → a [`Trustee`], the
//! [`Trustees`] section of the manifest and the fingerprint the committee reads aloud.
//! The state between rounds is serialisable and secret (the phone keeps it locally).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use elastic_elgamal::dkg::{
    ParticipantCollectingCommitments, ParticipantCollectingPolynomials,
    ParticipantExchangingSecrets, PublicInfo,
};
use elastic_elgamal::sharing::{ActiveParticipant, Params};
use elastic_elgamal::{Keypair, PublicKey, SecretKey};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};

use crate::codec::{self, b64_32, b64_vec};
use crate::ids::VoteId;
use crate::manifest::{MAX_TRUSTEES, TrusteeKeys, Trustees};
use crate::{DkgError, G};

/// Round-1 message: the phone's transport key and its commitment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Round1Msg {
    /// Sender's index (0-based).
    pub index: u32,
    /// Key that seals the shares sent to and from this phone.
    pub transport_key: PublicKey<G>,
    /// Hash commitment to the phone's public polynomial.
    #[serde(with = "b64_32")]
    pub commitment: [u8; 32],
}

/// Round-2 message: the public polynomial, its proof of possession and the opening.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Round2Msg {
    /// Sender's index.
    pub index: u32,
    /// What elastic-elgamal publishes.
    pub info: PublicInfo<'static, G>,
}

/// One secret share, sealed from one phone to another.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SealedShare {
    /// Sender's index.
    pub from: u32,
    /// Addressee's index.
    pub to: u32,
    /// Random nonce.
    #[serde(with = "b64_vec")]
    pub nonce: Vec<u8>,
    /// ChaCha20-Poly1305 of the 32-byte share.
    #[serde(with = "b64_vec")]
    pub sealed: Vec<u8>,
}

/// The phone's state after round 1 (secret).
#[derive(Debug, Serialize, Deserialize)]
pub struct DkgRound1 {
    vote_id: VoteId,
    transport: Keypair<G>,
    inner: ParticipantCollectingCommitments<G>,
}

/// After round 2 (secret).
#[derive(Debug, Serialize, Deserialize)]
pub struct DkgRound2 {
    vote_id: VoteId,
    transport: Keypair<G>,
    transports: Vec<PublicKey<G>>,
    inner: ParticipantCollectingPolynomials<G>,
}

/// After round 3 (secret).
#[derive(Debug, Serialize, Deserialize)]
pub struct DkgRound3 {
    vote_id: VoteId,
    transport: Keypair<G>,
    transports: Vec<PublicKey<G>>,
    inner: ParticipantExchangingSecrets<G>,
}

/// A trustee's share of the vote's key (secret; the phone keeps it until the result is out).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trustee {
    pub(crate) vote_id: VoteId,
    pub(crate) participant: ActiveParticipant<G>,
}

/// What a finished key generation gives the phone.
#[derive(Debug)]
pub struct DkgOutcome {
    /// Its secret share.
    pub trustee: Trustee,
    /// The manifest's trustee section (identical on every phone when nobody cheated).
    pub trustees: Trustees,
    /// The fingerprint to read aloud.
    pub fingerprint: String,
}

fn params(n: usize, k: usize) -> Result<Params, DkgError> {
    if n == 0 || n > MAX_TRUSTEES || k == 0 || k > n {
        return Err(DkgError::Params { n, k });
    }
    Ok(Params::new(n, k))
}

impl DkgRound1 {
    /// Starts key generation as trustee `index` of `n`, `k` needed to decrypt.
    pub fn start<R: CryptoRng>(
        vote_id: VoteId,
        n: usize,
        k: usize,
        index: usize,
        rng: &mut R,
    ) -> Result<(DkgRound1, Round1Msg), DkgError> {
        let params = params(n, k)?;
        if index >= n {
            return Err(DkgError::Index(index));
        }
        let transport = Keypair::generate(rng);
        let inner = ParticipantCollectingCommitments::new(params, index, rng);
        let msg = Round1Msg {
            index: index as u32,
            transport_key: transport.public().clone(),
            commitment: inner.commitment(),
        };
        Ok((
            DkgRound1 {
                vote_id,
                transport,
                inner,
            },
            msg,
        ))
    }

    /// Takes all n round-1 messages (own included) and publishes the polynomial.
    pub fn round2(mut self, msgs: &[Round1Msg]) -> Result<(DkgRound2, Round2Msg), DkgError> {
        let me = self.inner.index();
        let msgs = in_order(msgs, self.inner.params().shares, |m| m.index)?;
        if msgs[me].commitment != self.inner.commitment()
            || msgs[me].transport_key != *self.transport.public()
        {
            return Err(DkgError::NotMine);
        }
        for (j, m) in msgs.iter().enumerate().filter(|(j, _)| *j != me) {
            self.inner.insert_commitment(j, m.commitment);
        }
        let transports = msgs.iter().map(|m| m.transport_key.clone()).collect();
        let inner = self.inner.finish_commitment_phase();
        let msg = Round2Msg {
            index: me as u32,
            info: inner.public_info().into_owned(),
        };
        Ok((
            DkgRound2 {
                vote_id: self.vote_id,
                transport: self.transport,
                transports,
                inner,
            },
            msg,
        ))
    }
}

impl DkgRound2 {
    /// Takes all n round-2 messages, checks each against its commitment, and seals a share for
    /// every other phone.
    pub fn round3<R: CryptoRng>(
        mut self,
        msgs: &[Round2Msg],
        rng: &mut R,
    ) -> Result<(DkgRound3, Vec<SealedShare>), DkgError> {
        let me = self.inner.index();
        let msgs = in_order(msgs, self.inner.params().shares, |m| m.index)?;
        for (j, m) in msgs.iter().enumerate().filter(|(j, _)| *j != me) {
            self.inner
                .insert_public_polynomial(j, m.info.clone())
                .map_err(|e| DkgError::Peer {
                    index: j,
                    why: e.to_string(),
                })?;
        }
        let inner = self.inner.finish_polynomials_phase();
        let mut sealed = Vec::new();
        for (j, pk) in self.transports.iter().enumerate().filter(|(j, _)| *j != me) {
            let share = inner.secret_share_for_participant(j);
            let key = seal_key(&self.vote_id, me, j, &self.transport, pk);
            let mut nonce = [0u8; 12];
            rng.fill_bytes(&mut nonce);
            let aad = aad(&self.vote_id, me, j);
            let sealed_bytes = ChaCha20Poly1305::new(&key)
                .encrypt(
                    &Nonce::from(nonce),
                    Payload {
                        msg: &share.expose_scalar().to_bytes(),
                        aad: &aad,
                    },
                )
                .map_err(|_| DkgError::Seal)?;
            sealed.push(SealedShare {
                from: me as u32,
                to: j as u32,
                nonce: nonce.to_vec(),
                sealed: sealed_bytes,
            });
        }
        Ok((
            DkgRound3 {
                vote_id: self.vote_id,
                transport: self.transport,
                transports: self.transports,
                inner,
            },
            sealed,
        ))
    }
}

impl DkgRound3 {
    /// Opens the n−1 shares addressed to this phone, checks each against its sender's
    /// polynomial, and completes.
    pub fn finish(mut self, shares: &[SealedShare]) -> Result<DkgOutcome, DkgError> {
        let me = self.inner.index();
        let n = self.inner.params().shares;
        let mut seen = vec![false; n];
        for s in shares {
            let from = s.from as usize;
            if s.to as usize != me || from >= n || from == me || seen[from] {
                return Err(DkgError::Index(from));
            }
            seen[from] = true;
            let nonce: [u8; 12] = s.nonce.as_slice().try_into().map_err(|_| DkgError::Seal)?;
            let key = seal_key(
                &self.vote_id,
                from,
                me,
                &self.transport,
                &self.transports[from],
            );
            let plain = ChaCha20Poly1305::new(&key)
                .decrypt(
                    &Nonce::from(nonce),
                    Payload {
                        msg: &s.sealed,
                        aad: &aad(&self.vote_id, from, me),
                    },
                )
                .map_err(|_| DkgError::Peer {
                    index: from,
                    why: "không mở được phần khóa niêm phong".into(),
                })?;
            let share = SecretKey::<G>::from_bytes(&plain).ok_or(DkgError::Seal)?;
            self.inner
                .insert_secret_share(from, share)
                .map_err(|e| DkgError::Peer {
                    index: from,
                    why: e.to_string(),
                })?;
        }
        if let Some(missing) = (0..n).find(|&j| j != me && !seen[j]) {
            return Err(DkgError::Missing(missing));
        }
        let participant = self.inner.complete().map_err(|e| DkgError::Peer {
            index: me,
            why: e.to_string(),
        })?;
        let key_set = participant.key_set();
        let trustees = Trustees {
            threshold: key_set.params().threshold as u32,
            joint_key: key_set.shared_key().clone(),
            members: self
                .transports
                .iter()
                .zip(key_set.participant_keys())
                .map(|(t, k)| TrusteeKeys {
                    transport_key: t.clone(),
                    key_share: k.clone(),
                })
                .collect(),
        };
        Ok(DkgOutcome {
            fingerprint: fingerprint(&self.vote_id, &trustees),
            trustee: Trustee {
                vote_id: self.vote_id,
                participant,
            },
            trustees,
        })
    }
}

impl Trustee {
    /// This trustee's index.
    pub fn index(&self) -> usize {
        self.participant.index()
    }
}

/// The joint-key fingerprint: 16 decimal digits in four groups, over the vote, the threshold,
/// every transport key and every key share. Every phone shows it; the committee reads it aloud.
/// A relaying server that swapped any key (to read sealed shares or to split the committee)
/// would make the phones show different digits.
pub fn fingerprint(vote_id: &VoteId, trustees: &Trustees) -> String {
    let mut parts: Vec<Vec<u8>> = vec![trustees.threshold.to_be_bytes().to_vec()];
    for m in &trustees.members {
        parts.push(m.transport_key.as_bytes().to_vec());
        parts.push(m.key_share.as_bytes().to_vec());
    }
    let mut refs: Vec<&[u8]> = vec![&vote_id.0];
    refs.extend(parts.iter().map(Vec::as_slice));
    let h = codec::hash_parts(b"chibo-ballot/v1/fingerprint", &refs);
    let n = u64::from_be_bytes(h[..8].try_into().unwrap_or_default()) % 10_000_000_000_000_000;
    let d = format!("{n:016}");
    format!("{} {} {} {}", &d[0..4], &d[4..8], &d[8..12], &d[12..16])
}

fn in_order<T: Clone>(msgs: &[T], n: usize, index: impl Fn(&T) -> u32) -> Result<Vec<T>, DkgError> {
    let mut slots: Vec<Option<T>> = vec![None; n];
    for m in msgs {
        let i = index(m) as usize;
        if i >= n || slots[i].is_some() {
            return Err(DkgError::Index(i));
        }
        slots[i] = Some(m.clone());
    }
    slots
        .into_iter()
        .enumerate()
        .map(|(i, s)| s.ok_or(DkgError::Missing(i)))
        .collect()
}

fn seal_key(
    vote_id: &VoteId,
    from: usize,
    to: usize,
    mine: &Keypair<G>,
    theirs: &PublicKey<G>,
) -> Key {
    let shared = theirs.as_element() * mine.secret().expose_scalar();
    let k = codec::hash_parts(
        b"chibo-ballot/v1/dkg-seal",
        &[
            &vote_id.0,
            &(from as u64).to_be_bytes(),
            &(to as u64).to_be_bytes(),
            shared.compress().as_bytes(),
        ],
    );
    Key::from(k)
}

fn aad(vote_id: &VoteId, from: usize, to: usize) -> Vec<u8> {
    let mut a = vote_id.0.to_vec();
    a.extend_from_slice(&(from as u64).to_be_bytes());
    a.extend_from_slice(&(to as u64).to_be_bytes());
    a
}

//! The whole lines of one split of a file, read into a buffer that keeps the bytes of the
//! batch being decoded: a split starting inside a line skips to the next one, and every split
//! reads past its end to finish its last line (as [`Context::text_file`](crate::Context::text_file)
//! cuts files); a compressed file is one split, read whole through its decoder.

use super::line_inputs::open_bytes;
use super::modes::InputSplit;
use ember_engine::EngineError;
use ember_engine::rdd::InputCodec;
use ember_engine::store::Stores;
use std::io::Read;
use std::path::Path;

/// Bytes read from storage at a time.
const READ_BYTES: u64 = 8 << 20;

/// Bytes read at a time past a split's end, to finish its last line.
const TAIL_BYTES: u64 = 64 << 10;

/// The (decompressed) stream of a split's file, or of its range from `start` when plain.
pub(super) fn open_stream(
    input: &InputSplit,
    stores: &Stores,
    start: u64,
    end: u64,
) -> ember_engine::Result<Box<dyn Read + Send>> {
    let s = &input.split;
    open_bytes(stores, &s.path, s.file_size, input.codec, start, end)
}

fn is_compressed(input: &InputSplit) -> bool {
    input.codec.is_some() || InputCodec::of(Path::new(&input.split.path)).is_some()
}

/// The whole lines of one split in a buffer that keeps the bytes of the batch being decoded
/// (to sift them if it fails).
pub(super) struct SplitReader {
    stream: Box<dyn Read + Send>,
    path: String,
    pub(super) buf: Vec<u8>,
    /// Offset in the (decompressed) file of `buf[0]`.
    pub(super) base: u64,
    /// The next byte to decode.
    pub(super) pos: usize,
    /// The first byte still needed.
    pub(super) keep: usize,
    /// Lines that start at or after this offset belong to the next split.
    cut: u64,
    /// `buf` holds the end of the split's last line.
    pub(super) ended: bool,
}

impl SplitReader {
    pub(super) fn open(
        input: &InputSplit,
        stores: &Stores,
        header: bool,
    ) -> ember_engine::Result<Self> {
        let s = &input.split;
        let (base, cut) = if is_compressed(input) {
            (0, u64::MAX)
        } else {
            (s.start.saturating_sub(1), s.start + s.len)
        };
        let stream = open_stream(input, stores, base, cut)?;
        let mut reader = SplitReader {
            stream,
            path: s.path.clone(),
            buf: Vec::new(),
            base,
            pos: 0,
            keep: 0,
            cut,
            ended: false,
        };
        // A split after the first skips the rest of the line it starts in (from the byte
        // before its start); the first split of a file with a header skips the header.
        if s.start > 0 || header {
            reader.skip_line()?;
        }
        Ok(reader)
    }

    fn skip_line(&mut self) -> ember_engine::Result<()> {
        loop {
            if let Some(i) = self.buf[self.pos..].iter().position(|&b| b == b'\n') {
                self.pos += i + 1;
                self.keep = self.pos;
                return Ok(());
            }
            self.pos = self.buf.len();
            self.keep = self.pos;
            if !self.fill()? {
                return Ok(());
            }
        }
    }

    /// Reads more bytes after dropping those before `keep`; false at the end of the split.
    pub(super) fn fill(&mut self) -> ember_engine::Result<bool> {
        if self.ended {
            return Ok(false);
        }
        if self.keep > 0 {
            self.buf.drain(..self.keep);
            self.base += self.keep as u64;
            self.pos -= self.keep;
            self.keep = 0;
        }
        let old = self.buf.len();
        // Up to the split's end in large reads, then small ones to finish its last line.
        let to_cut = self.cut.saturating_sub(self.base + old as u64);
        let want = match to_cut {
            0 => TAIL_BYTES,
            n => n.min(READ_BYTES),
        };
        let read = (&mut self.stream).take(want).read_to_end(&mut self.buf);
        let n = match read {
            Ok(n) => n,
            Err(e) => {
                self.buf.truncate(old);
                return Err(EngineError::io(&self.path, &e));
            }
        };
        if n == 0 {
            self.ended = true;
            return Ok(false);
        }
        // The split's last line is the one holding byte `cut - 1`: stop after its newline.
        let last = self.cut.saturating_sub(1);
        if self.base + self.buf.len() as u64 > last {
            let from = (last.saturating_sub(self.base) as usize).max(old);
            if let Some(i) = self.buf[from..].iter().position(|&b| b == b'\n') {
                self.buf.truncate(from + i + 1);
                self.ended = true;
            }
        }
        Ok(true)
    }

    /// The end of the region of up to `lines` whole lines from `keep`, reading more as needed.
    pub(super) fn region_end(&mut self, lines: usize) -> ember_engine::Result<usize> {
        loop {
            let mut seen = 0;
            for (i, &b) in self.buf[self.keep..].iter().enumerate() {
                if b == b'\n' {
                    seen += 1;
                    if seen == lines {
                        return Ok(self.keep + i + 1);
                    }
                }
            }
            if !self.fill()? {
                return Ok(self.buf.len());
            }
        }
    }
}

"""An int8 ONNX copy of the embedding model, and the encoder that runs it with ONNX Runtime.

Why: on a CPU without native bfloat16 the float32 model embeds about 2,000 tokens/s on 2 cores,
and embedding is three quarters of an ingest. ONNX Runtime's dynamic quantisation (int8 weights
per output channel, activations quantised per batch; matrix products and embedding lookups) runs the same model
about 2.5x faster there, with vectors within cosine 0.99 of float32 ones; the build checks that
bound on fixed sentences and refuses a copy that misses it.

The copy lives in the model folder (``onnx/model_qint8.onnx``, 118 MB), is built once at set-up from the
folder's own float32 weights (torch's ONNX exporter, then ``onnxruntime.quantization``), and is
read with the folder's own tokenizer, prompts and mean pooling, so it stands in for the
sentence-transformers model wherever that is used.

The tokenizer is read from a copy of the folder's that keeps only the pieces made of the characters
these reports are written in (Han, Latin, digits, kana, CJK and fullwidth punctuation and symbols) and
every one-character piece: 138,000 of its 250,000, 110 MB resident instead of 291 MB in every process
that embeds. The pieces of a text are always pieces of its substrings, so a text of those characters
(after the tokenizer's normalisation) is cut exactly as before; the kept pieces are mapped back to
their original ids, and the build checks the ids on its sentences.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

INT8_FILE = Path("onnx") / "model_qint8.onnx"
TOKENIZER_FILE = Path("onnx") / "tokenizer_cjk_latin.json"
TOKEN_IDS_FILE = Path("onnx") / "tokenizer_cjk_latin_ids.npy"   # kept piece → its id in the full tokenizer
STAMP = Path("onnx") / "build_info.json"
MIN_COSINE = 0.99          # int8 vs float32, per sentence, queries and passages
# A question-passage cosine moves by at most this much from float32 to int8 (measured: at most 0.0114,
# mean 0.0031, over 60 questions x 11 passages of a report), so rankings decided by less are noise.
SCORE_TOLERANCE = 0.02
RECIPE = 3                 # what build() does; a copy made by an older recipe is built again
BATCH_SIZE = 4             # measured: larger batches are slower on CPU (activations outgrow the cache)


def int8_path(model_dir: Path) -> Path:
    return Path(model_dir) / INT8_FILE


def is_built(model_dir: Path) -> bool:
    """The int8 copy exists, was made by this recipe and passed its check when it was built."""
    try:
        stamp = json.loads((Path(model_dir) / STAMP).read_text(encoding="utf-8"))
        return (int8_path(model_dir).is_file() and stamp.get("recipe") == RECIPE
                and (Path(model_dir) / TOKENIZER_FILE).is_file() and (Path(model_dir) / TOKEN_IDS_FILE).is_file()
                and stamp.get("bytes") == int8_path(model_dir).stat().st_size)
    except (OSError, ValueError):
        return False


def build(model_dir: Path, sentences: list[str], log=print) -> float:
    """Export the folder's transformer to ONNX, quantise it to int8 and check it against float32.
    Written beside the target and moved in only once it passed, so no reader sees half a file."""
    import onnx  # noqa: F401  (torch's exporter needs it; a clear ImportError beats its own)
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    model_dir = Path(model_dir)
    (model_dir / "onnx").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=model_dir / "onnx", prefix=".build.") as tmp:
        fp32, int8 = Path(tmp) / "model.onnx", Path(tmp) / "model_qint8.onnx"
        model = AutoModel.from_pretrained(str(model_dir), local_files_only=True, add_pooling_layer=False).eval()
        ids = torch.tensor([[0, 6, 2]])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes about constants in the attention mask
            torch.onnx.export(model, (ids, torch.ones_like(ids)), str(fp32), dynamo=False, opset_version=17,
                              input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                              dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                            "attention_mask": {0: "batch", 1: "tokens"},
                                            "last_hidden_state": {0: "batch", 1: "tokens"}})
        del model
        # The matrix products, and the embedding tables' lookups (Gather): the word table is most of the
        # model's bytes (250k x 384), and stored in int8 it takes a quarter of the memory in every
        # process that embeds (measured: 477 MB resident after load instead of 751 MB, cosine to float32
        # unchanged). Layer norms and softmax keep float32.
        root = logging.getLogger()
        level, root.level = root.level, logging.ERROR  # its advice to pre-process is for image models
        try:
            quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                             op_types_to_quantize=["MatMul", "Gather"])
        finally:
            root.setLevel(level)
        write_pruned_tokenizer(model_dir, Path(tmp))
        different = pruned_differences(model_dir, Path(tmp), [p + s for s in sentences for p in ("", "query: ", "passage: ")])
        if different:
            raise RuntimeError(f"the pruned tokenizer cuts {len(different)} sentences differently, e.g. {different[0]!r}")
        for name in (TOKENIZER_FILE.name, TOKEN_IDS_FILE.name):
            os.replace(Path(tmp) / name, model_dir / "onnx" / name)
        worst = min_cosine(model_dir, int8, sentences)
        log(f"int8 ONNX copy: minimum cosine vs float32 over {len(sentences)} sentences x 2 prompts: {worst:.4f}")
        if worst < MIN_COSINE:
            raise RuntimeError(f"int8 ONNX copy disagrees with the float32 model (min cosine {worst:.4f} "
                               f"< {MIN_COSINE})")
        os.replace(int8, int8_path(model_dir))
    (model_dir / STAMP).write_text(json.dumps({"recipe": RECIPE, "bytes": int8_path(model_dir).stat().st_size,
                                               "min_cosine": round(worst, 4)}, indent=2) + "\n", encoding="utf-8")
    return worst


def _written_here(ch: str) -> bool:
    """A character of the scripts these reports use (after normalisation)."""
    o = ord(ch)
    return (o < 0x250                              # ASCII, Latin-1, Latin Extended-A and -B
            or 0x2000 <= o <= 0x2BFF               # punctuation, letterlike, arrows, maths, box, enclosed
            or 0x2E80 <= o <= 0x9FFF               # CJK radicals, symbols, kana, bopomofo, compatibility, Han
            or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F or 0xFF00 <= o <= 0xFFEF
            or 0x20000 <= o <= 0x3FFFF)            # Han extensions


def write_pruned_tokenizer(model_dir: Path, into: Path) -> int:
    """The folder's tokenizer without the pieces that hold a character of another script (one-character
    pieces and the special tokens are all kept), and the original id of each kept piece. Returns
    how many pieces were kept."""
    spec = json.loads((Path(model_dir) / "tokenizer.json").read_text(encoding="utf-8"))
    vocab = spec["model"]["vocab"]
    special = {t["id"] for t in spec["added_tokens"]} | {spec["model"]["unk_id"]}
    kept = [i for i, (piece, _) in enumerate(vocab)
            if i in special or len(piece.lstrip("\u2581")) <= 1 or all(_written_here(c) for c in piece)]
    new_id = {old: new for new, old in enumerate(kept)}
    spec["model"]["vocab"] = [vocab[i] for i in kept]
    spec["model"]["unk_id"] = new_id[spec["model"]["unk_id"]]
    for token in spec["added_tokens"]:
        token["id"] = new_id[token["id"]]
    for token in (spec.get("post_processor") or {}).get("special_tokens", {}).values():
        token["ids"] = [new_id[i] for i in token["ids"]]
    (into / TOKENIZER_FILE.name).write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    np.save(into / TOKEN_IDS_FILE.name, np.asarray(kept, dtype=np.int64))
    return len(kept)


def pruned_differences(model_dir: Path, pruned_dir: Path, texts: list[str]) -> list[str]:
    """The texts the pruned tokenizer in ``pruned_dir`` cuts otherwise than the folder's own."""
    from tokenizers import Tokenizer

    full = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    pruned = Tokenizer.from_file(str(Path(pruned_dir) / TOKENIZER_FILE.name))
    back = np.load(Path(pruned_dir) / TOKEN_IDS_FILE.name)
    return [t for t, a, b in zip(texts, pruned.encode_batch(texts), full.encode_batch(texts))
            if back[a.ids].tolist() != b.ids]


def min_cosine(model_dir: Path, onnx_file: Path, sentences: list[str]) -> float:
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    ours = OnnxEncoder(model_dir, onnx_file=onnx_file, threads=0)
    worst = 1.0
    for prompt in ("query", "passage"):
        a = reference.encode(sentences, prompt_name=prompt, normalize_embeddings=True)
        b = ours.encode(sentences, prompt)
        worst = min(worst, float(np.min(np.sum(a * b, axis=1))))
    return worst


class OnnxEncoder:
    """The model folder's tokenizer, prompts, transformer (int8, ONNX Runtime) and mean pooling.

    ``threads``: ONNX Runtime's threads for one call (0 = one per core). A process that forks
    after loading (gunicorn's preload) must ask for 1: a thread pool started before a fork does
    not survive it, and with one thread ONNX Runtime starts none. ``encode`` may be called from
    several threads at once.
    """

    def __init__(self, model_dir: Path, onnx_file: Path | None = None, threads: int = 0):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        st = json.loads((model_dir / "config_sentence_transformers.json").read_text(encoding="utf-8"))
        self.prompts: dict[str, str] = st.get("prompts", {})
        max_len = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))["max_seq_length"]
        self.tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(max_len)
        self.original_ids = np.load(model_dir / TOKEN_IDS_FILE)
        pad = json.loads((model_dir / "special_tokens_map.json").read_text(encoding="utf-8"))["pad_token"]
        self.pad_id = int(self.original_ids[self.tokenizer.token_to_id(pad)])
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(onnx_file or int8_path(model_dir)), options,
                                            providers=["CPUExecutionProvider"])
        self.dim = int(self.session.get_outputs()[0].shape[-1])  # fixed by the export; only batch and tokens vary

    def encode(self, texts: list[str], prompt: str, batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Unit-length vectors, one row per text, in order. Texts are run sorted by length so a
        batch pads only to its own longest."""
        prefix = self.prompts.get(prompt, "")
        ids = [self.original_ids[e.ids] for e in self.tokenizer.encode_batch([prefix + t for t in texts])]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            width = max(len(ids[i]) for i in rows)
            batch = np.full((len(rows), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                batch[r, :len(ids[i])] = ids[i]
                mask[r, :len(ids[i])] = 1
            hidden = self.session.run(None, {"input_ids": batch, "attention_mask": mask})[0]
            m = mask[:, :, None].astype(np.float32)
            vecs = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
            vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
            out[rows] = vecs
        return out

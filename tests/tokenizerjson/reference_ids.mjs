// Reference ids from Hugging Face's own JavaScript tokenizers (@huggingface/tokenizers), for the
// tokenizer.json parity checks. Not run by the tests: it made the golden files they compare with.
//
// Usage: node reference_ids.mjs NODE_MODULES TOKENIZER_JSON TEXTS_JSONL [--metaspace] > ids.jsonl
//   NODE_MODULES: a folder where `npm install @huggingface/tokenizers@0.2.0` was run.
//   Reads tokenizer_config.json beside TOKENIZER_JSON when present. Prints, per text, the ids of
//   encode(text) with the tokenizer's special tokens (add_special_tokens: true) as a JSON array.
//   --metaspace: first rewrites a legacy sentencepiece-style file (normalizer Prepend("▁") +
//   Replace(" ", "▁"), no pre-tokenizer) into the newer form Hugging Face converts LLaMA-2 to
//   (legacy: false): no normalizer, pre-tokenizer Metaspace("▁", prepend_scheme "first", split
//   false). tst_tokenizergolden makes the same edit (metaspaceVariant there).
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, tokenizerPath, textsPath, option] = process.argv.slice(2);
const { Tokenizer } = await import(
    pathToFileURL(join(modules, "@huggingface/tokenizers/dist/tokenizers.mjs")).href);
const configPath = join(dirname(tokenizerPath), "tokenizer_config.json");
const config = existsSync(configPath) ? JSON.parse(readFileSync(configPath, "utf8")) : {};
const json = JSON.parse(readFileSync(tokenizerPath, "utf8"));
if (option === "--metaspace") {
    json.normalizer = null;
    json.pre_tokenizer = { type: "Metaspace", replacement: "\u2581", prepend_scheme: "first",
                           split: false };
} else if (option !== undefined) {
    throw new Error(`unknown option ${option}`);
}
const tokenizer = new Tokenizer(json, config);
for (const line of readFileSync(textsPath, "utf8").split("\n")) {
    if (line.length === 0) continue;
    const text = JSON.parse(line);
    process.stdout.write(JSON.stringify(tokenizer.encode(text).ids) + "\n");
}

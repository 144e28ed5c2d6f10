// Reference ids from Hugging Face's own JavaScript tokenizers (@huggingface/tokenizers), for the
// tokenizer.json parity checks. Not run by the tests: it made the golden files they compare with.
//
// Usage: node reference_ids.mjs NODE_MODULES TOKENIZER_JSON TEXTS_JSONL > ids.jsonl
//   NODE_MODULES: a folder where `npm install @huggingface/tokenizers@0.2.0` was run.
//   Reads tokenizer_config.json beside TOKENIZER_JSON when present. Prints, per text, the ids of
//   encode(text) with the tokenizer's special tokens (add_special_tokens: true) as a JSON array.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, tokenizerPath, textsPath] = process.argv.slice(2);
const { Tokenizer } = await import(
    pathToFileURL(join(modules, "@huggingface/tokenizers/dist/tokenizers.mjs")).href);
const configPath = join(dirname(tokenizerPath), "tokenizer_config.json");
const config = existsSync(configPath) ? JSON.parse(readFileSync(configPath, "utf8")) : {};
const tokenizer = new Tokenizer(JSON.parse(readFileSync(tokenizerPath, "utf8")), config);
for (const line of readFileSync(textsPath, "utf8").split("\n")) {
    if (line.length === 0) continue;
    const text = JSON.parse(line);
    process.stdout.write(JSON.stringify(tokenizer.encode(text).ids) + "\n");
}

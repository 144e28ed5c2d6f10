#include "trainingcommandspecs.h"

namespace fsllm {

namespace {

const OptionSpec kFormat{"format", "F",
                         "auto|tsv|sentence|csv|jsonl|conll (default: the run's; auto guesses)"};
const OptionSpec kTextColumn{"text-column", "NAME",
                             "column or JSONL key of the text (default: sentence, text; a+b joins)"};
const OptionSpec kLabelColumn{"label-column", "NAME",
                              "column or JSONL key of the label (default: label)"};
const OptionSpec kCsvColumns{"csv-columns", "a,b,c",
                             "column names of a CSV file without a header row (AG News)"};
const OptionSpec kTagColumn{"tag-column", "N",
                            "CoNLL column of the tag, 0-based (0 is the word; default: the last)"};
const OptionSpec kDevice{"device", "auto|cpu|cuda", "where to compute (default: auto)"};
const OptionSpec kDtype{"dtype", "auto|float32|bfloat16|float16",
                        "compute dtype (default: the weights'; float16 needs cuda)"};
const OptionSpec kThreads{"threads", "N", "CPU threads (default: all cores)"};
const OptionSpec kModel{"model", "DIR",
                        "base checkpoint folder instead of run.json's (a moved model)"};

std::vector<OptionSpec> join(std::vector<OptionSpec> options, const std::vector<OptionSpec>& more) {
    options.insert(options.end(), more.begin(), more.end());
    return options;
}

const std::vector<OptionSpec> kDataOptions = {kFormat, kTextColumn, kLabelColumn, kCsvColumns,
                                              kTagColumn};
const std::vector<OptionSpec> kEngineOptions = {kDevice, kDtype, kThreads};

CommandSpec makeTrain() {
    CommandSpec spec;
    spec.name = "train";
    spec.synopsis = {"--model DIR --task seq|token --train FILE --dev FILE --out RUN_DIR [options]",
                     "--config run.json [--out RUN_DIR] [options]   (options override the file)",
                     "--resume RUN_DIR"};
    spec.summary = "  LoRA fine-tuning with label supervision; Ctrl-C or SIGTERM stops cleanly after the\n"
                   "  current step (resume later). The run folder is locked while a job writes it.\n";
    spec.options = join(
        {{"model", "DIR", "base checkpoint folder (Hugging Face layout)"},
         {"task", "seq|token", "one label per text, or one tag per word"},
         {"train", "FILE", "training data"},
         {"dev", "FILE", "dev data: evaluated during training, selects best/"},
         {"out", "RUN_DIR", "the run folder to create"},
         {"config", "run.json", "start from a saved configuration"},
         {"resume", "RUN_DIR", "continue a stopped run"}},
        join(kDataOptions,
             join({{"mask", "causal|bidirectional|decay", "attention mask (default: decay)"},
                   {"lambda", "L", "decay weight of future keys (default: 0.5)"},
                   {"mask-from-layer", "K",
                    "layers 0..K-1 stay causal, the mask applies from layer K (default: 0)"},
                   {"pooling", "last|mean|max", "sequence pooling (default: last)"},
                   {"head", "fs|linear", "classification head (default: fs)"},
                   {"head-inner", "N", "inner size of the fs head (default: the model's)"},
                   {"lora-rank", "N", "LoRA rank (default: 8)"},
                   {"lora-alpha", "A", "LoRA alpha (default: 32)"},
                   {"lora-dropout", "P", "LoRA dropout (default: 0.1)"},
                   {"lora-targets", "q,k,v,o[,gate,up,down]", "projections with adapters"},
                   {"lr", "R", "peak learning rate (default: 2e-4)"},
                   {"weight-decay", "W", "AdamW weight decay (default: 0.01)"},
                   {"batch-size", "N", "examples per micro-batch (default: 16)"},
                   {"grad-accum", "N", "micro-batches per optimizer step (default: 1)"},
                   {"epochs", "N", "epochs (default: 3)"},
                   {"max-length", "N", "tokens per example, longer ones are cut (default: 128)"},
                   {"warmup-ratio", "R", "share of steps warming up (default: 0.06)"},
                   {"schedule", "linear|cosine", "learning-rate decay (default: linear)"},
                   {"max-grad-norm", "G", "gradient clipping, 0 = off (default: 1)"},
                   {"eval-every", "N", "also evaluate every N steps (default: each epoch's end)"},
                   {"log-every", "N", "steps per metrics.jsonl record (default: 10)"},
                   {"early-stop", "N", "stop after N evaluations without improvement"},
                   {"seed", "N", "random seed (default: 42)"},
                   {"gradient-checkpointing", "",
                    "recompute each layer in backward: less memory, about a third more compute"},
                   {"nproc", "N",
                    "data-parallel on N local processes (c10d Gloo; torchrun's RANK, WORLD_SIZE, "
                    "MASTER_ADDR, MASTER_PORT work too)"}},
                  kEngineOptions)));
    return spec;
}

CommandSpec makeSweep() {
    CommandSpec spec;
    spec.name = "sweep";
    spec.synopsis = {"--model DIR --task seq|token --train FILE --dev FILE --out SWEEP_DIR "
                     "--masks causal,decay --seeds 1,2,3 [grid options] [train options]",
                     "--grid grid.json --out SWEEP_DIR [options]   (lists given here replace the file's)"};
    spec.summary =
        "  Trains a grid of runs (data sets x heads x masks x lambdas x mask-from-layer values x\n"
        "  seeds), each a normal run folder SWEEP_DIR/<data>-<mask>[<lambda>][-from<K>]-<head>-s<seed>,\n"
        "  one after another (or --jobs at once), then writes SWEEP_DIR/summary.md and summary.csv:\n"
        "  one row per configuration with the dev metric's mean +- std over the seeds and a paired\n"
        "  bootstrap test (and McNemar's for sequence tasks) against the causal run of the same\n"
        "  settings. Run it again after an interruption: complete runs are skipped, stopped runs\n"
        "  resumed. Ctrl-C or SIGTERM stops every run cleanly after its current step.\n";
    std::vector<OptionSpec> grid = {
        {"out", "SWEEP_DIR", "the sweep's folder: one run folder per point, logs/, summary.*"},
        {"grid", "FILE", "the grid as JSON: masks, lambdas, mask_from_layers, heads, seeds, data"},
        {"masks", "causal,decay,...", "masks to try (default: --mask's)"},
        {"lambdas", "L,L,...", "decay lambdas, for the decay mask only (default: --lambda's)"},
        {"mask-from-layers", "K,K,...", "mask-from-layer values, non-causal masks only (default: 0)"},
        {"heads", "fs,linear", "heads to try (default: --head's)"},
        {"seeds", "N,N,...", "seeds of every configuration (default: --seed's)"},
        {"data", "TRAIN:DEV,...", "data sets, NAME=TRAIN:DEV names one (default: --train, --dev)"},
        {"jobs", "N", "runs trained at once, one process each (default: 1); threads per run: "
                      "--threads, else cores / N"},
        {"resamples", "N", "bootstrap resamples of the significance test (default: 1000)"},
        {"dry-run", "", "list the runs and what would be done (train, resume, skip); train nothing"}};
    for (const OptionSpec& option : makeTrain().options) // each run in one process
        if (option.name != "out" && option.name != "resume" && option.name != "nproc")
            grid.push_back(option);
    spec.options = grid;
    spec.notes =
        "SWEEP_DIR holds: one run folder per point (as fsllm train writes it), logs/<run>.log (the\n"
        "  output of its fsllm train) and logs/<run>.json (its configuration), sweep.json (the grid),\n"
        "  summary.md and summary.csv (rewritten as runs finish). Significance: the paired bootstrap\n"
        "  resamples dev examples (sentences for token tasks, entity F1 recomputed from chunk\n"
        "  counts), 1000 times with a fixed seed; 95% CI of the difference of the means over seeds,\n"
        "  two-sided p. Exit code 2 when a run failed (the summary is still written).\n";
    return spec;
}

CommandSpec makeEval() {
    CommandSpec spec;
    spec.name = "eval";
    spec.synopsis = {"--run RUN_DIR --data FILE [options]"};
    spec.summary =
        "  Accuracy, precision, recall, F1 (entity-level for token tasks) of the run's best\n"
        "  checkpoint on the labelled FILE. The predictions and scores are also kept in\n"
        "  RUN_DIR/evaluations/ (the studio's Runs tab shows their confusion matrix).\n";
    spec.options = join({{"run", "RUN_DIR", "the trained run"},
                         {"data", "FILE", "labelled data (the run's data options apply)"},
                         {"json", "OUT", "also write the scores as JSON to OUT"},
                         {"predictions", "OUT", "also write the predictions to OUT"},
                         kModel},
                        join(kDataOptions, kEngineOptions));
    spec.notes =
        "predictions (OUT and RUN_DIR/evaluations/<file name>.predictions.tsv|.conll):\n"
        "  seq: TSV with a header: line, gold, predicted, p_<label> per label\n"
        "  token: 'word gold predicted' per line, a blank line after each sentence\n"
        "long examples: tokens past the run's --max-length are cut. Cut words of a token task are\n"
        "  not predicted (tag <cut>): a gold entity there counts as missed, none is predicted. The\n"
        "  output and the JSON (\"truncated\") say how many examples and words were cut.\n";
    return spec;
}

CommandSpec makePredict() {
    CommandSpec spec;
    spec.name = "predict";
    spec.synopsis = {"--run RUN_DIR (--text TEXT | --data FILE) [options]"};
    spec.summary = "  Labels and probabilities (seq) or one tag per word (token) from the run's best\n"
                   "  checkpoint, on stdout. The input needs no labels.\n";
    spec.options = join({{"run", "RUN_DIR", "the trained run"},
                         {"text", "TEXT", "one text (token tasks: words split at white space)"},
                         {"data", "FILE", "a file of texts or sentences (layouts below)"},
                         kModel,
                         {"format", "F",
                          "auto|text|conll|tsv|csv|jsonl|sentence (default: auto, below)"},
                         kTextColumn, kCsvColumns},
                        kEngineOptions);
    spec.notes =
        "input (--data FILE), unlabelled; --format auto takes the extension (.tsv .csv .jsonl\n"
        "  .conll ...), else the content, and refuses a file that reads two ways, naming the\n"
        "  --format that decides; stderr says which layout was read:\n"
        "  text      one text per line (token tasks: one sentence per line, words split at spaces)\n"
        "  conll     one word per line, blank line between sentences; further columns (tags) ignored\n"
        "  tsv, csv  header row naming the text column (--text-column); a label column is ignored\n"
        "  jsonl     one object per line: the text key (token tasks: \"tokens\" or \"words\")\n"
        "  sentence  '<label> <text>' lines: the first word is dropped\n"
        "output (stdout), in input order:\n"
        "  seq: label<TAB><label>=<probability> for every label, one line per text\n"
        "  token: word<TAB>tag, one word per line, a blank line after each sentence (CoNLL-style\n"
        "  TSV); a word past the run's --max-length tokens is not predicted: tag <cut>\n";
    return spec;
}

CommandSpec makeZeroshot() {
    CommandSpec spec;
    spec.name = "zeroshot";
    spec.synopsis = {"--model DIR --data FILE --out RUN_DIR [options]"};
    spec.summary =
        "  The paper's w/o LS baseline: each label's word scored by the LM head after a prompt.\n";
    spec.options = join(
        {{"model", "DIR", "the base checkpoint folder"},
         {"data", "FILE", "labelled data to score (sequence task)"},
         {"out", "RUN_DIR", "the run folder to create"},
         {"template", "TEXT", "prompt, {text} is the example (default: \"Review: {text}\\nSentiment:\")"},
         {"verbalizers", "0=negative,1=positive", "the word of each label (default: the labels)"},
         {"batch-size", "N", "prompts per forward pass (default: 16)"},
         {"max-length", "N", "tokens per prompt, its start is cut first (default: 256)"}},
        join({kFormat, kTextColumn, kLabelColumn, kCsvColumns}, kEngineOptions));
    spec.notes =
        "output, named after the data file as fsllm eval names it:\n"
        "  RUN_DIR/evaluations/<file name>.predictions.tsv  line, gold, predicted, p_<label>...\n"
        "  RUN_DIR/evaluations/<file name>.json             scores, \"data\" and \"examples\"\n"
        "  RUN_DIR/zeroshot.json (template, verbalizers), run.json, metrics.jsonl, train.log\n";
    return spec;
}

} // namespace

const CommandSpec& TrainingCommandSpecs::train() {
    static const CommandSpec spec = makeTrain();
    return spec;
}

const CommandSpec& TrainingCommandSpecs::sweep() {
    static const CommandSpec spec = makeSweep();
    return spec;
}

const CommandSpec& TrainingCommandSpecs::eval() {
    static const CommandSpec spec = makeEval();
    return spec;
}

const CommandSpec& TrainingCommandSpecs::predict() {
    static const CommandSpec spec = makePredict();
    return spec;
}

const CommandSpec& TrainingCommandSpecs::zeroshot() {
    static const CommandSpec spec = makeZeroshot();
    return spec;
}

std::vector<const CommandSpec*> TrainingCommandSpecs::all() {
    return {&train(), &sweep(), &eval(), &predict(), &zeroshot()};
}

const CommandSpec* TrainingCommandSpecs::find(const std::string& command) {
    for (const CommandSpec* spec : all())
        if (spec->name == command)
            return spec;
    return nullptr;
}

} // namespace fsllm

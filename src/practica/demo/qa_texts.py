"""What the demo's members ask and answer: problems by topic, and what helps, in Markdown.

A post is a few Markdown blocks (paragraphs, a fenced code block) separated by blank lines;
each block comes from a small pool with a few placeholders, so whole posts vary widely while
the distinct blocks, rendered once each, stay in the hundreds.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """A question members keep asking, with what helps."""

    topics: tuple[str, ...]
    titles: tuple[str, ...]
    context: tuple[str, ...]
    answers: tuple[str, ...]
    area: str = "tabular"
    code: str = ""
    fix: str = ""
    since: int = 2012


PROBLEMS: tuple[Problem, ...] = (
    Problem(
        ("deep-learning", "stochastic-gradient-methods", "transformers"),
        (
            "Loss becomes NaN after a few thousand steps with {fw}",
            "{model} training diverges (NaN loss) on {n} GPUs",
            "Why does my loss explode only with mixed precision?",
        ),
        (
            "I'm training {model} with {fw} on {n} {gpu}s. The loss goes down nicely and then, "
            "somewhere after step 2,000, it jumps to `nan` and never comes back.",
            "Training is stable in fp32 but with mixed precision the loss turns into **NaN** "
            "after a few hours. Same data, same seed.",
        ),
        (
            "Nine times out of ten this is the learning rate: add a warm-up (1–2k steps) and "
            "clip gradients at 1.0. Log the gradient norm; you'll see it spike first.",
            "With fp16, look at the loss scaler. If you compute a softmax or a log yourself, "
            "do it in fp32: `logits.float()` before the log-softmax fixed it for us.",
            "Check your data first. We had one empty example that produced a division by zero "
            "in the loss normalisation. `torch.autograd.set_detect_anomaly(True)` finds it.",
        ),
        area="language",
        code="```python\nfor step, batch in enumerate(loader):\n    with autocast():\n"
        "        loss = model(**batch).loss\n    scaler.scale(loss).backward()\n"
        "    scaler.step(optimizer)\n    scaler.update()\n```",
        fix="```python\nscaler.unscale_(optimizer)\n"
        "torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)\n```",
        since=2015,
    ),
    Problem(
        ("distributed-training", "gpu-computing"),
        (
            "NCCL all-reduce hangs at random steps in multi-node training",
            "Multi-node {fw} job stalls without an error after the first epoch",
            "Distributed training is slower on {n} nodes than on one — where to look?",
        ),
        (
            "Our multi-node job ({n} nodes × 8 {gpu}) hangs at a random step, no error, GPU "
            "utilisation at 100% and nothing moves. Single node is fine.",
            "Scaling from one node to {n} makes each step *slower*. Data loading is not the "
            "bottleneck according to the profiler.",
        ),
        (
            "Run with `NCCL_DEBUG=INFO`. If you see it picking the wrong network interface, "
            "set `NCCL_SOCKET_IFNAME` to the InfiniBand one — the new cluster has two NICs.",
            "A rank that skips a collective (an `if` on a data-dependent condition, a different "
            "number of batches per rank) hangs everyone. Use `drop_last=True` in the sampler.",
            "Check the topology: with the default ring, one slow link sets the pace. Our infra "
            "team has a page on the right NCCL settings for each cluster.",
        ),
        area="language",
        code="```bash\ntorchrun --nnodes={n} --nproc-per-node=8 train.py --config base.yaml\n```",
        fix="```bash\nexport NCCL_DEBUG=INFO\nexport NCCL_SOCKET_IFNAME=ib0\n```",
        since=2017,
    ),
    Problem(
        ("machine-translation", "large-language-models"),
        (
            "BLEU went up but human raters prefer the old {model} system — which do we trust?",
            "How do you handle terminology (product names) in machine translation?",
            "Low-resource language pairs: back-translation or a multilingual model?",
        ),
        (
            "We retrained our translation model and BLEU went up by 1.8 on the test set, but "
            "the human evaluation prefers the old system. The test set is 3,000 sentences of news.",
            'Customers complain that product names get translated ("Teams" becomes a word for '
            "groups). We use {model} behind our translation service.",
            "We need a model for a language pair with only ~50k parallel sentences. Is "
            "back-translation still the way, or fine-tune a big multilingual model?",
        ),
        (
            "Trust the humans, and move off BLEU for model selection: COMET or chrF correlate "
            "much better with human judgements, and a news test set says little about your domain.",
            "Constrained decoding with a terminology list works, but the cheapest fix is "
            "placeholder masking: replace the terms before translation and restore them after.",
            "Start from the multilingual model and add back-translated data: you get most of "
            "the gain from the transfer, and back-translation adds another couple of points.",
        ),
        area="language",
        code="```python\nfrom sacrebleu import corpus_bleu, corpus_chrf\n"
        "print(corpus_bleu(hyps, [refs]).score, corpus_chrf(hyps, [refs]).score)\n```",
    ),
    Problem(
        ("named-entity-recognition", "information-extraction", "text-classification"),
        (
            "NER model misses entities in lower-case user text",
            "How much labelled data do we need for a new entity type?",
            "Text classifier is great offline and poor in production",
        ),
        (
            "Our {model} NER model gets 91 F1 on the benchmark but misses most entities in chat "
            "messages, where people type everything in lower case.",
            "We need to recognise a new entity type (internal project code names). How many "
            "labelled sentences should we plan for?",
        ),
        (
            "Augment the training data by lower-casing a share of it (30% worked for us) and "
            "evaluate on a sample of real chat text, not the benchmark.",
            "With a pre-trained encoder, a few hundred good examples go a long way; spend the "
            "budget on a clean test set first so you know when you're done.",
            "Your offline set is not your production distribution. Log a sample of production "
            "inputs, label 500 of them, and measure on that.",
        ),
        area="language",
    ),
    Problem(
        ("model-deployment", "model-monitoring", "gpu-computing"),
        (
            "p99 latency of our {model} endpoint doubles under load",
            "Serving {model} on CPU vs {gpu}: how do you decide?",
            "How do you detect model drift before customers do?",
        ),
        (
            "Our endpoint serves {model}. At 50 requests/s the p50 is fine (40 ms) but p99 goes "
            "from 120 ms to 300 ms. We run {n} replicas behind the load balancer.",
            "A model that was great at launch has been quietly getting worse. We only noticed "
            "from a customer ticket. What do people monitor?",
        ),
        (
            "Batch dynamically (a few ms of waiting) and cap the batch size; p99 comes mostly "
            "from requests queued behind a big batch. Also pin the thread pool size.",
            "Monitor the inputs, not only the outputs: a population stability index on the top "
            "features catches most drift weeks before the accuracy numbers move.",
            "Export to ONNX and try ONNX Runtime with quantisation; for us CPU serving became "
            "cheaper than GPUs below ~30 requests/s.",
        ),
        area="vision",
        code='```yaml\nresources:\n  limits:\n    cpu: "4"\n    memory: 8Gi\nreplicas: {n}\n```',
        since=2014,
    ),
    Problem(
        ("a-b-testing", "hypothesis-testing", "causal-inference"),
        (
            "Our A/B test is significant on day 2 and not on day 14 — what happened?",
            "Sample size for an A/B test on a metric with a heavy tail?",
            "How do we measure impact when we can't randomise?",
        ),
        (
            "We ran an A/B test for two weeks. After two days p = 0.01, the PM shipped it, and "
            "at two weeks the effect is gone. Were we unlucky?",
            "Revenue per user is extremely skewed (a few customers are 40% of revenue). How "
            "do people size experiments on metrics like that?",
        ),
        (
            "Peeking: checking every day and stopping at the first p < 0.05 inflates false "
            "positives a lot. Fix the duration up front or use a sequential test.",
            "Cap (winsorise) the metric at the 99th percentile, or use CUPED with last month's "
            "value as the covariate; it cut our required sample in half.",
            "Difference-in-differences with a good control group, or synthetic control if you "
            "have a few treated units. Write down the assumptions before you look at results.",
        ),
        code="```python\nfrom statsmodels.stats.power import tt_ind_solve_power\n"
        "tt_ind_solve_power(effect_size=0.02, alpha=0.05, power=0.8)\n```",
    ),
    Problem(
        ("forecasting", "time-series", "anomaly-detection"),
        (
            "Forecasting demand with many short, intermittent series",
            "Anomaly detection on metrics with strong weekly seasonality",
            "{model} or a classical model for weekly forecasts?",
        ),
        (
            "We forecast weekly demand for ~20,000 items; most have fewer than 50 weeks of "
            "history and lots of zeros.",
            "Our alerting fires every Monday morning because traffic is seasonal. We use a "
            "static threshold today.",
        ),
        (
            "One global model across all series (gradient boosting on lag features) beats "
            "per-series models when histories are short. Croston for the truly intermittent ones.",
            "Decompose first (STL), then alert on the residual. Weekly seasonality disappears "
            "from the residual, and so do your Monday pages.",
        ),
        code="```python\nfrom statsmodels.tsa.seasonal import STL\n"
        "residual = STL(series, period=7).fit().resid\n```",
    ),
    Problem(
        ("recommender-systems", "search-ranking", "query-understanding"),
        (
            "Offline NDCG improves but online click-through drops",
            "Cold start for new items in the recommender",
            "How do you debias click logs for learning to rank?",
        ),
        (
            "Our new ranking model improved offline NDCG@10 by 4%, and the online test shows "
            "click-through *down* 1%. Where would you look first?",
            "New items get no impressions, so they never get clicks, so they never get ranked.",
        ),
        (
            "Your labels come from clicks on the old ranker, so offline metrics reward copying "
            "it. Use inverse propensity weighting, or interleaving for quick online checks.",
            "Reserve a small exploration slot (a bandit over new items) and add content "
            "features so the model can score an item before it has any clicks.",
        ),
    ),
    Problem(
        (
            "image-classification",
            "object-detection",
            "image-segmentation",
            "convolutional-networks",
        ),
        (
            "Fine-tuning {model} on 2,000 images overfits after 3 epochs",
            "Small objects are missed by our detector",
            "Class imbalance in segmentation: 98% background",
        ),
        (
            "We fine-tune {model} with {fw} on about 2,000 labelled images. Validation accuracy "
            "peaks at epoch 3 and then drops.",
            "Our detector finds the large parts in factory images but misses the small defects, "
            "which are what the customer cares about.",
        ),
        (
            "Freeze the backbone for the first epochs, use strong augmentation, and lower the "
            "learning rate for the pre-trained layers. Early stopping on a real validation split.",
            "Increase the input resolution or tile the images; add a feature pyramid level for "
            "small objects, and check that the anchors cover the sizes you need.",
            "Use a Dice or focal loss instead of plain cross-entropy, and report per-class IoU.",
        ),
        area="vision",
        fix="```python\nfor param in model.backbone.parameters():\n"
        "    param.requires_grad = False\n```",
    ),
    Problem(
        ("speech-recognition", "speech-synthesis", "speaker-recognition"),
        (
            "Word error rate doubles on call-centre audio",
            "How do we adapt speech recognition to product vocabulary?",
        ),
        (
            "Our recogniser gets 8% WER on the benchmark and 17% on 8 kHz call-centre audio "
            "with background noise.",
            "Product names and acronyms are almost always wrong in the transcripts.",
        ),
        (
            "Train (or fine-tune) on 8 kHz audio with noise augmentation; upsampled narrowband "
            "audio is not the same as wideband.",
            "Contextual biasing with a phrase list fixes most of it without retraining; keep "
            "the list short and per customer.",
        ),
        area="language",
    ),
    Problem(
        ("reinforcement-learning", "multi-armed-bandits", "offline-reinforcement-learning"),
        (
            "Bandit for choosing email subject lines: Thompson sampling or UCB?",
            "Our RL agent exploits a bug in the simulator",
        ),
        (
            "We want to choose among five subject lines adaptively. Traffic is ~10k sends a day.",
            "The agent reaches a superhuman reward in the simulator by doing something that "
            "would never work in the real system.",
        ),
        (
            "Thompson sampling with a Beta prior; it's simple, robust to delayed feedback, and "
            "easy to explain to the marketing team.",
            "Reward hacking: constrain the action space, add penalties for the exploit, and "
            "evaluate with off-policy estimates on logged real data before trusting it.",
        ),
    ),
    Problem(
        ("fairness", "interpretability", "differential-privacy", "responsible-ai", "ai-safety"),
        (
            "How do we check a credit model for fairness across groups?",
            "SHAP values disagree with our domain experts",
            "Training with differential privacy: what epsilon is acceptable?",
        ),
        (
            "Before launch we need to show the model treats customer groups fairly. We don't "
            "store the sensitive attribute. Where do we start?",
            "The SHAP explanation says the most important feature is one our experts say "
            "shouldn't matter at all.",
        ),
        (
            "Pick the fairness definition with the product and legal teams first (they conflict). "
            "Then measure error rates per group on a labelled audit sample.",
            "Correlated features share credit in SHAP in odd ways; group correlated features "
            "before explaining, and check with a permutation test on held-out data.",
            "There is no universal answer; our review board asks for ε ≤ 8 with a documented "
            "threat model, and a utility comparison against the non-private baseline.",
        ),
        since=2016,
    ),
    Problem(
        ("data-pipelines", "data-quality", "stream-processing", "feature-stores", "data-lakes"),
        (
            "Training/serving skew: features differ between batch and online",
            "How do you catch bad data before it reaches the model?",
            "Late events in stream processing break our aggregates",
        ),
        (
            "Our model is great offline but worse online. We found that a feature is computed "
            "in SQL for training and in Java for serving, with slightly different logic.",
            "Last week an upstream team changed a column from seconds to milliseconds and our "
            "model silently degraded for four days.",
        ),
        (
            "Compute the feature once: a feature store (or one shared library) for both paths, "
            "and log the served features so you can train on exactly what was served.",
            "Put expectations on the inputs (ranges, null rates, distributions) and fail the "
            "pipeline loudly; a contract with the upstream team helps more than any tool.",
            "Use event-time windows with a watermark and allowed lateness; emit corrections "
            "downstream instead of dropping late events.",
        ),
        code="```sql\nSELECT user_id, COUNT(*) AS orders_7d\nFROM orders\n"
        "WHERE order_time >= CURRENT_DATE - INTERVAL '7' DAY\nGROUP BY user_id;\n```",
    ),
    Problem(
        ("large-language-models", "question-answering", "summarization", "dialogue-systems"),
        (
            "RAG answers cite the wrong document — retrieval or generation problem?",
            "How do we evaluate an LLM feature before launch?",
            "Prompt works in the playground, fails in production",
        ),
        (
            "Our retrieval-augmented assistant answers confidently and cites a document that "
            "doesn't contain the answer. We use {model} with a vector index of {n}M chunks.",
            "We're about to launch a summarisation feature built on {model}. Leadership wants "
            "a number for quality. What do teams here use?",
        ),
        (
            "Measure retrieval separately: recall@k on a labelled set of questions. In our case "
            "the right chunk wasn't in the top 5 half of the time; hybrid BM25 + vectors fixed it.",
            "Build a golden set of 200 real inputs with expected properties, use an LLM judge "
            "calibrated against human ratings, and track it on every prompt change.",
            "Temperature, the system prompt and truncated context differ between the two; log "
            "the exact final prompt in production and replay it.",
        ),
        area="language",
        since=2021,
    ),
    Problem(
        ("supervised-learning", "automl", "statistics", "bayesian-inference", "clustering"),
        (
            "Cross-validation score much better than the holdout — leakage?",
            "Is hyperparameter search worth it for {model}?",
            "How do you pick the number of clusters in practice?",
        ),
        (
            "Our 5-fold cross-validation gives 0.93 AUC and the holdout from last month gives "
            "0.78. The features are computed from the whole table.",
            "We have a small budget of compute. Does tuning {model} beyond the defaults "
            "usually pay off?",
        ),
        (
            "Leakage: features computed over the whole table see the future. Split by time "
            "and compute features only from data before each example's timestamp.",
            "A small random or Bayesian search over learning rate and depth gets most of the "
            "gain; beyond ~50 trials it rarely matters more than better features.",
            "Silhouette and the elbow help, but the useful answer is the number your users "
            "can act on. Check stability across bootstrap samples.",
        ),
        code="```python\nfrom sklearn.model_selection import TimeSeriesSplit, cross_val_score\n"
        "cross_val_score(model, X, y, cv=TimeSeriesSplit(n_splits=5))\n```",
    ),
)

"""Era-aware tools and models, and phrases for posts that are not a known problem: questions on
any topic, questions in Chinese, urgent questions from the field, and discussions."""

# Tools by era: the first year a tool is in the pool.
FRAMEWORKS: tuple[tuple[int, str], ...] = (
    (2012, "scikit-learn"),
    (2012, "Theano"),
    (2013, "Torch7"),
    (2015, "TensorFlow"),
    (2015, "Caffe"),
    (2017, "PyTorch"),
    (2018, "PyTorch"),
    (2019, "PyTorch Lightning"),
    (2020, "Hugging Face Transformers"),
    (2021, "JAX"),
    (2022, "PyTorch 2"),
    (2023, "vLLM"),
)
RETIRED = {"Theano": 2018, "Torch7": 2017, "Caffe": 2019}
GPUS: tuple[tuple[int, str], ...] = (
    (2012, "K20"),
    (2014, "K80"),
    (2016, "P100"),
    (2017, "V100"),
    (2020, "A100"),
    (2023, "H100"),
)
MODELS: dict[str, tuple[tuple[int, str], ...]] = {
    "language": (
        (2012, "a CRF tagger"),
        (2014, "word2vec embeddings"),
        (2015, "a bi-LSTM"),
        (2018, "BERT-base"),
        (2019, "RoBERTa"),
        (2020, "T5"),
        (2023, "a 7B Llama model"),
        (2024, "a small instruction-tuned LLM"),
    ),
    "vision": (
        (2012, "an SVM on HOG features"),
        (2014, "AlexNet"),
        (2016, "ResNet-50"),
        (2018, "Mask R-CNN"),
        (2021, "a ViT-B/16"),
        (2023, "a CLIP backbone"),
    ),
    "tabular": (
        (2012, "logistic regression"),
        (2014, "a random forest"),
        (2016, "XGBoost"),
        (2018, "LightGBM"),
    ),
}
CUSTOMERS = ("Contoso", "Fabrikam", "Northwind Traders", "Woodgrove Bank", "Tailspin Toys")
CHINESE_FRAMEWORK = {"Hugging Face Transformers": "Transformers"}

GENERIC_TITLES = (
    "Recommended reading to get started with {topic}?",
    "Who here has experience with {topic} in production?",
    "How do you evaluate {topic} models before launch?",
    "{topic}: what tooling do teams use in {year}?",
    "Looking for a reviewer for a {topic} design doc",
    "Common pitfalls in {topic} projects?",
)
GENERIC_CONTEXT = (
    "I'm new to {topic} and our team is starting a project on it next quarter. Where would "
    "you start, and which internal teams should I talk to?",
    "We're evaluating options for {topic} with {fw}. I'd love to hear what worked (and what "
    "didn't) for other teams before we commit.",
    "Our team has a first prototype for {topic}. Before we invest more, what are the usual "
    "mistakes people make here?",
)
GENERIC_ANSWERS = (
    "Happy to help. We went through the same on our team last year; the biggest lesson was "
    "to build the evaluation set *before* the model.",
    "Start with the simplest baseline you can ship and measure it; most of the value came "
    "from data quality, not the model.",
    "There is a recorded talk from the internal conference on exactly this — search the "
    "events page for it. Ping me if you want the slides.",
    "We use {fw} for this. It's fine, but plan time for monitoring and retraining; that's "
    "where the work really is.",
)
CLOSINGS = (
    "Any pointers appreciated!",
    "Thanks in advance.",
    "Happy to share our notes afterwards.",
    "What am I missing?",
    "",
)
ANSWER_CLOSINGS = (
    "Hope this helps.",
    "Happy to pair on it if you want to share the config.",
    "Let me know how it goes.",
    "",
    "",
)

CHINESE_TITLES = (
    "{topic}：用 {fw} 训练时 loss 不收敛，怎么排查？",
    "有没有同事在生产环境中做过 {topic}？",
    "请教：{topic} 的模型上线前怎么评估？",
    "{topic} 入门有什么推荐的资料？",
)
CHINESE_CONTEXT = (
    "我们组最近在做 {topic} 相关的项目，用的是 {fw}。训练到一半 loss 突然变成 NaN，"
    "调小学习率也没有用。",
    "我们准备把一个 {topic} 模型上线，想了解一下其他团队是怎么做离线评估和线上监控的。",
    "刚开始接触 {topic}，想请大家推荐一些论文、课程或者内部的分享。",
)
CHINESE_ANSWERS = (
    "先检查数据，我们之前遇到过空样本导致除零。然后加 warm-up，再做梯度裁剪。",
    "建议先建一个高质量的评估集，再比较模型。内部大会上有一个相关的分享，可以在活动页面搜一下。",
    "我们组用过类似的方案，效果不错。可以私信我，我把我们的文档发给你。",
)

URGENT_TITLES = (
    "Customer waiting: does our {topic} service support on-premises deployment?",
    "Urgent — {customer} asks how we measure bias in our {topic} models",
    "In a meeting with {customer}: max input size for the {topic} API?",
    "Customer waiting: can we fine-tune the {topic} model on their data without it leaving "
    "their region?",
)
URGENT_CONTEXT = (
    "I'm in a meeting with **{customer}** right now and they asked this. They're deciding "
    "this week between us and a competitor. A short answer I can relay is perfect.",
    "{customer}'s architects are asking, and I'd rather not guess. Anyone from the product "
    "team online?",
)
URGENT_ANSWERS = (
    "Yes, with the container deployment option; limits are on the docs page under "
    "*Deployment*. I'm on the product team, happy to join a follow-up call.",
    "Short answer you can relay: yes, the data stays in the customer's region and is not "
    "used to train shared models. The compliance page has the exact wording.",
    "Answered in the customer channel too. The limit is per request; they can batch.",
)

DISCUSSION_TITLES = (
    "Paper discussion: what did you think of this year's best-paper award on {topic}?",
    "Reading group on {topic}, week {n}: notes and questions",
    "What are you using for {topic} these days?",
    "Share your {topic} war stories",
    "Proposal: a study group on {topic} for new hires",
)
DISCUSSION_CONTEXT = (
    "Starting a thread so we can keep the conversation from the session going. "
    "What surprised you most?",
    "Notes from this week are in the group folder. Open questions below; reply with yours.",
    "Curious how teams across the company approach {topic} now that {fw} is everywhere.",
)
DISCUSSION_REPLIES = (
    "Great summary, thanks for writing it up.",
    "We tried this on our team and saw similar results; the ablation in section 4 is the "
    "part I'd like to reproduce.",
    "+1 to a study group. I can host a session in the Redmond office or online.",
    "I disagree a little: the evaluation ignores latency, which is what matters in our product.",
    "Adding a link to last year's talk on this from the internal conference.",
)

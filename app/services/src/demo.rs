//! The demo county as a use case, written once for `hutong demo` and the
//! workstation's first run: the core's children, families and year of
//! records, the province plugin the program carries, and assessments by
//! that plugin, so the demo shows what a county looks like in use.
//!
//! Everything here refuses a database that is not a demo (`meta.demo`):
//! the bundled plugins are signed with a public demo key.

use crate::installed::{self, Installed};
use crate::permissions::Action;
use crate::session::{Session, SystemJob};
use anyhow::{Context, Result, bail};
pub use hutong_bundled_plugins::BundledPlugin;
use hutong_core::assessments::{self, NewAssessment};
use hutong_core::demo::{self, DemoOptions, DemoSummary, HistorySummary};
use hutong_core::province::{Answer, AssessInput, Assessment, Colour, ScaleDef};
use hutong_core::{Actor, Store, plugin_registry, snapshot};
use hutong_plugin_host::{PluginError, signing};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::path::Path;

/// What to build.
#[derive(Debug, Clone)]
pub struct DemoRequest {
    pub options: DemoOptions,
    /// A year of casework records (core's history) and plugin assessments.
    pub history: bool,
    /// Install the province plugin the program carries, if it has one.
    pub plugin: bool,
}

/// What was built.
#[derive(Debug, Clone, Default)]
pub struct DemoReport {
    pub summary: DemoSummary,
    pub history: Option<HistorySummary>,
    pub plugin: Option<Installed>,
    pub assessments: Option<DemoAssessments>,
}

/// Builds (or tops up) a demo county. `progress(done, total)` follows the
/// children's generation and may stop it by returning `false`.
pub fn build(
    db: &Path,
    store: &mut Store,
    request: &DemoRequest,
    progress: impl FnMut(usize, usize) -> bool,
) -> Result<DemoReport> {
    let opts = &request.options;
    let summary = demo::generate(store, opts, progress)
        .with_context(|| format!("生成示例数据到 {}", db.display()))?;
    // Before any account exists: the demo builder's own system session.
    let session = Session::system(store, SystemJob::BuildDemo)?;
    let actor = session.actor();
    let plugin = if request.plugin {
        install_bundled(db, store, &session, opts.county_code.get(..2).unwrap_or(""))?
    } else {
        None
    };
    let mut report = DemoReport {
        summary,
        plugin,
        ..Default::default()
    };
    if request.history {
        report.history = Some(
            demo::add_history(store, opts)
                .with_context(|| format!("生成示例业务记录到 {}", db.display()))?,
        );
        if report.plugin.is_some() {
            report.assessments = Some(assess_demo_children(db, store, &actor, opts)?);
        }
    }
    Ok(report)
}

/// The plugins the program carries (for the 插件 screen).
pub fn bundled_plugins() -> &'static [BundledPlugin] {
    hutong_bundled_plugins::ALL
}

/// Installs the plugin the program carries for a province into a demo
/// database: trusts the demo key for that province (audited), then installs
/// it like any signed file, signature checked before its code is compiled.
/// `None` when the program carries no plugin for the province. Refused for
/// a county database, which installs the files its province signed. Needs
/// `InstallPlugin`, and `TrustKeys` when the demo key is not yet trusted.
pub fn install_bundled(
    db: &Path,
    store: &mut Store,
    session: &Session,
    province_code: &str,
) -> Result<Option<Installed>> {
    session.require(store, Action::InstallPlugin)?;
    if !demo::is_demo(store)? {
        bail!(
            "随程序附带的示例插件只能装入示例数据库；县级数据库请安装本省民政厅签名的插件文件（插件 › 从文件安装）"
        );
    }
    let Some(bundled) = hutong_bundled_plugins::for_province(province_code) else {
        return Ok(None);
    };
    let trusted = plugin_registry::trusted_keys(store.conn(), Some(province_code))?
        .iter()
        .any(|k| k.public_key == hutong_bundled_plugins::DEMO_PUBLIC_KEY);
    if !trusted {
        session.require(store, Action::TrustKeys)?;
        store.write(&session.actor(), |tx| {
            plugin_registry::trust_key(
                tx,
                province_code,
                hutong_bundled_plugins::DEMO_PUBLIC_KEY,
                Some("护童示例插件公钥（仅示例数据库）"),
            )
        })?;
    }
    // The install path reads a file and its detached signature, like any
    // plugin a province sends; write the embedded pair next to where the
    // installed copy goes, and remove it afterwards.
    let dir = installed::plugin_dir(db);
    std::fs::create_dir_all(&dir).with_context(|| format!("创建 {}", dir.display()))?;
    let staged = dir.join(format!(".bundled-{}", bundled.file_name));
    hutong_core::files::write_atomic(&staged, bundled.wasm)?;
    hutong_core::files::write_atomic(
        &signing::signature_path(&staged),
        bundled.signature.as_bytes(),
    )?;
    let done = installed::install_from_file(db, store, session, &staged);
    let _ = std::fs::remove_file(signing::signature_path(&staged));
    let _ = std::fs::remove_file(&staged);
    done.with_context(|| format!("安装随程序附带的{}插件", bundled.province))
        .map(Some)
}

/// How the demo's assessments came out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoAssessments {
    pub children: usize,
    /// Latest results per colour (`None`: a result without a colour, as a
    /// screening gives), most worrying first.
    pub by_colour: Vec<(Option<Colour>, usize)>,
}

/// How often each colour is drawn as a child's target, in per mille of the
/// colours the scale can give: most children are looked after and doing
/// well, a few need urgent attention.
const COLOUR_WEIGHTS: [(Colour, u32); 5] = [
    (Colour::Green, 560),
    (Colour::Blue, 120),
    (Colour::Yellow, 180),
    (Colour::Orange, 90),
    (Colour::Red, 50),
];

/// Tries per child to reach its drawn colour; the closest result is kept.
const ATTEMPTS: usize = 10;

/// Answer sets drawn per round to learn a scale (see [`ScaleProfile`]).
const PROBES: usize = 300;

/// Rounds of learning after the first, uniformly random one.
const ROUNDS: usize = 3;

/// Assesses every demo child never assessed, with the province plugin's
/// first scale. The plugin decides every result; the demo only chooses
/// answers: each child is given a colour drawn from [`COLOUR_WEIGHTS`]
/// (among those the scale gives), and answers are drawn, more worrying for
/// a more worrying colour, until the plugin's scoring gives that colour.
/// A scale without colours (a screening) gets one draw per child at a
/// drawn level of worry. Stored as one batch per 2,000 children, each with
/// its audit entry.
pub fn assess_demo_children(
    db: &Path,
    store: &mut Store,
    actor: &Actor,
    opts: &DemoOptions,
) -> Result<DemoAssessments> {
    if !demo::is_demo(store)? {
        bail!("这不是示例数据库：不能为其生成示例评估");
    }
    let (_runtime, mut plugin) =
        crate::casework::load_province_plugin(db, store).map_err(anyhow::Error::msg)?;
    // A plugin without a scale, or with a scale without questions, has
    // nothing the demo could answer.
    let Some(scale) = plugin
        .scales()?
        .into_iter()
        .next()
        .filter(|s| s.items.iter().any(|i| !i.options.is_empty()))
    else {
        return Ok(DemoAssessments::default());
    };
    let manifest = plugin.manifest().clone();
    let plan = assessments::latest_per_child(store.conn(), None, None)?;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x4153_5345);
    let mut names = HashMap::new();
    let mut counts: HashMap<Option<Colour>, usize> = HashMap::new();
    let today = opts.today;
    let mut profile: Option<ScaleProfile> = None;
    let mut done = 0;
    for chunk in plan.chunks(2_000) {
        let mut results = Vec::with_capacity(chunk.len());
        for (child_id, latest) in chunk {
            if latest.is_some() {
                continue;
            }
            let child = snapshot::child_snapshot_cached(store.conn(), *child_id, &mut names)?;
            // Assessed at the last visits, as a 儿童主任 would; a child never
            // visited was assessed when the file was opened, some weeks ago.
            let visits = last_visit_dates(store, *child_id)?;
            let latest_on = visits
                .first()
                .copied()
                .unwrap_or_else(|| today - chrono::Days::new(rng.gen_range(10..60)));
            let mut run = |on: chrono::NaiveDate, answers: Vec<Answer>| {
                let input = AssessInput {
                    today: on.to_string(),
                    answers,
                    child: Some(child.clone()),
                };
                plugin.assess(&scale.id, &input).map(|r| (input, r))
            };
            let profile = match &mut profile {
                Some(p) => p,
                None => profile.insert(ScaleProfile::learn(&scale, &mut rng, &mut |a| {
                    run(today, a)
                })?),
            };
            // About a third have an earlier result too, so the 评估 tab
            // shows a colour trend.
            if let Some(earlier) = visits.get(1).filter(|_| rng.gen_bool(0.35)) {
                let (input, result) =
                    profile.assess_towards(&scale, &mut rng, &mut |a| run(*earlier, a))?;
                results.push((*child_id, input, result));
            }
            let (input, result) =
                profile.assess_towards(&scale, &mut rng, &mut |a| run(latest_on, a))?;
            *counts.entry(result.colour).or_default() += 1;
            results.push((*child_id, input, result));
        }
        if results.is_empty() {
            continue;
        }
        let items: Vec<NewAssessment<'_>> = results
            .iter()
            .map(|(child_id, input, result)| NewAssessment {
                child_id: *child_id,
                scale_id: &scale.id,
                scale_version: &scale.version,
                plugin_id: &manifest.id,
                plugin_version: &manifest.version,
                input,
                result,
            })
            .collect();
        store.write(actor, |tx| {
            assessments::record_batch(tx, "示例县的首次评估", &items).map(|_| ())
        })?;
        done += results
            .iter()
            .map(|(child_id, ..)| child_id)
            .collect::<std::collections::HashSet<_>>()
            .len();
    }
    let mut by_colour: Vec<(Option<Colour>, usize)> = counts.into_iter().collect();
    by_colour.sort_by(|a, b| {
        let worry = |c: Option<Colour>| c.map_or(-1.0, rank);
        worry(b.0).total_cmp(&worry(a.0))
    });
    Ok(DemoAssessments {
        children: done,
        by_colour,
    })
}

/// How worrying a colour is, for moving towards a target.
fn rank(colour: Colour) -> f64 {
    match colour {
        Colour::Green => 0.0,
        Colour::Blue => 0.5,
        Colour::Yellow => 1.0,
        Colour::Orange => 2.0,
        Colour::Red => 3.0,
    }
}

/// How worrying a result looks, from what every scale reports: the
/// colour first; then the score, in the direction the scale's colours
/// follow (`score_sign`: +1 when a higher score comes with a more
/// worrying colour, -1 when with a calmer one; a scale without colours is
/// a screening, where more is worse); then the flagged sub-scores and the
/// reasons given. The later terms still move where an override holds the
/// colour at red.
fn worry_of(result: &Assessment, score_sign: f64) -> f64 {
    let flagged = result.sub_scores.iter().filter(|s| s.flagged).count() as f64;
    let reasons = result.reasons.len() as f64;
    let score = result.score.unwrap_or(0.0);
    let base = match result.colour {
        Some(c) => rank(c) * 100.0 + score_sign * score,
        None => score * 10.0,
    };
    base + flagged * 2.0 + reasons * 0.5
}

/// What the demo learns about a scale from random answers, since scales
/// do not say which option is the reassuring one (some list the best
/// first, some the worst): per item, its options from the least to the
/// most worrying, and which colours the scale gives at all.
struct ScaleProfile {
    /// Per item (in scale order), option indices from least worrying.
    calm_first: Vec<Vec<usize>>,
    /// Per item, whether a worrying answer alone makes a child red (an
    /// emergency or 强制报告 question): these are answered worryingly
    /// only rarely, as in a real county.
    overrides: Vec<bool>,
    /// The colours seen, with their drawing weights.
    colours: Vec<(Colour, u32)>,
}

impl ScaleProfile {
    /// Orders each item's options by how much they add to the worry
    /// ([`worry_of`]) of a result, all other answers equal: [`PROBES`]
    /// times per round, one item of an answer set is tried with each of its
    /// options. The sets are uniformly random in the first round, then,
    /// [`ROUNDS`] times, drawn with the order learnt so far at spread-out
    /// levels of worry (uniform answers are mostly worrying, so only these
    /// reach the calm colours and show which options matter there).
    fn learn(
        scale: &ScaleDef,
        rng: &mut ChaCha8Rng,
        run: &mut dyn FnMut(Vec<Answer>) -> Result<(AssessInput, Assessment), PluginError>,
    ) -> Result<ScaleProfile> {
        let mut profile = ScaleProfile {
            calm_first: Vec::new(),
            overrides: Vec::new(),
            colours: Vec::new(),
        };
        let mut seen = Vec::new();
        // Whether the score rises or falls with the colours' worry, from
        // the same one-item changes (a covariance over the pairs; across
        // whole answer sets an override would confound it).
        let mut covariance = 0.0_f64;
        for round in 0..=ROUNDS {
            let score_sign = if covariance.abs() < 1e-9 {
                0.0
            } else {
                covariance.signum()
            };
            // Per item: probes where some option was not red, and of those
            // how many had another option that was.
            let mut jumps = vec![(0u32, 0u32); scale.items.len()];
            let mut sums: Vec<Vec<(f64, u32)>> = scale
                .items
                .iter()
                .map(|i| vec![(0.0, 0); i.options.len()])
                .collect();
            for _ in 0..PROBES {
                let mut picks: Vec<Option<usize>> = if round == 0 {
                    scale
                        .items
                        .iter()
                        .map(|i| (!i.options.is_empty()).then(|| rng.gen_range(0..i.options.len())))
                        .collect()
                } else {
                    let risk = rng.gen_range(0.0..0.6);
                    profile.draw_picks(rng, risk)
                };
                // One item, every option, all else equal: the differences
                // are that item's own effect, whatever the rest says.
                let item = rng.gen_range(0..scale.items.len());
                let options = scale.items[item].options.len();
                if options < 2 {
                    continue;
                }
                let mut worries = Vec::with_capacity(options);
                let mut scored = Vec::with_capacity(options);
                let mut ranks = Vec::with_capacity(options);
                for option in 0..options {
                    picks[item] = Some(option);
                    let (_, result) = run(answers_for(scale, &picks))?;
                    if let Some(c) = result.colour
                        && !seen.contains(&c)
                    {
                        seen.push(c);
                    }
                    if let Some(c) = result.colour {
                        ranks.push(rank(c));
                    }
                    if let (Some(c), Some(score)) = (result.colour, result.score) {
                        scored.push((score, rank(c)));
                    }
                    worries.push(worry_of(&result, score_sign));
                }
                if ranks.iter().any(|r| *r < rank(Colour::Red)) {
                    jumps[item].0 += 1;
                    if ranks.contains(&rank(Colour::Red)) {
                        jumps[item].1 += 1;
                    }
                }
                if scored.len() == options {
                    let n = options as f64;
                    let mean_score = scored.iter().map(|(s, _)| s).sum::<f64>() / n;
                    let mean_rank = scored.iter().map(|(_, r)| r).sum::<f64>() / n;
                    covariance += scored
                        .iter()
                        .map(|(s, r)| (s - mean_score) * (r - mean_rank))
                        .sum::<f64>();
                }
                let mean = worries.iter().sum::<f64>() / options as f64;
                for (option, worry) in worries.into_iter().enumerate() {
                    sums[item][option].0 += worry - mean;
                    sums[item][option].1 += 1;
                }
            }
            profile.overrides = jumps
                .iter()
                .map(|(tries, reds)| *tries >= 3 && *reds * 10 >= *tries * 6)
                .collect();
            profile.calm_first = sums
                .iter()
                .map(|options| {
                    let mean = |i: usize| {
                        let (sum, n) = options[i];
                        // Never tried: keep the scale's own order.
                        if n == 0 {
                            i as f64 * 1e-9
                        } else {
                            sum / f64::from(n)
                        }
                    };
                    let mut order: Vec<usize> = (0..options.len()).collect();
                    order.sort_by(|a, b| mean(*a).total_cmp(&mean(*b)));
                    order
                })
                .collect();
        }
        profile.colours = COLOUR_WEIGHTS
            .iter()
            .filter(|(c, _)| seen.contains(c))
            .copied()
            .collect();
        Ok(profile)
    }

    /// One result: draws a target colour for the child and answers until
    /// the plugin gives it, within [`ATTEMPTS`] (the closest is kept).
    fn assess_towards(
        &self,
        scale: &ScaleDef,
        rng: &mut ChaCha8Rng,
        run: &mut dyn FnMut(Vec<Answer>) -> Result<(AssessInput, Assessment), PluginError>,
    ) -> Result<(AssessInput, Assessment), PluginError> {
        let (target, mut risk) = self.draw_target(rng);
        let mut best: Option<(f64, AssessInput, Assessment)> = None;
        for _ in 0..ATTEMPTS {
            let (input, result) = run(self.draw_answers(scale, rng, risk))?;
            let Some(target) = target else {
                return Ok((input, result));
            };
            let miss = result.colour.map_or(0.0, rank) - rank(target);
            let closer = best.as_ref().is_none_or(|(m, ..)| miss.abs() < m.abs());
            if miss == 0.0 {
                return Ok((input, result));
            }
            if closer {
                best = Some((miss, input, result));
            }
            risk = (risk - miss.signum() * 0.1 * rng.gen_range(0.5..1.5)).clamp(0.0, 1.0);
        }
        match best {
            Some((_, input, result)) => Ok((input, result)),
            None => run(self.draw_answers(scale, rng, risk)),
        }
    }

    /// A child's target colour (`None` for a scale without colours) and
    /// the worry to start drawing answers at.
    fn draw_target(&self, rng: &mut ChaCha8Rng) -> (Option<Colour>, f64) {
        let total: u32 = self.colours.iter().map(|(_, w)| w).sum();
        if total == 0 {
            // Most children screen well; some do not.
            let risk = if rng.gen_bool(0.7) {
                0.05
            } else {
                rng.gen_range(0.2..0.7)
            };
            return (None, risk);
        }
        let mut x = rng.gen_range(0..total);
        for (colour, weight) in &self.colours {
            if x < *weight {
                return (Some(*colour), (rank(*colour) / 4.0 + 0.05).min(0.8));
            }
            x -= weight;
        }
        (None, 0.05)
    }

    /// One answer per item: its least worrying option with probability
    /// about `1 - risk`, otherwise a more worrying one.
    fn draw_answers(&self, scale: &ScaleDef, rng: &mut ChaCha8Rng, risk: f64) -> Vec<Answer> {
        answers_for(scale, &self.draw_picks(rng, risk))
    }

    /// Per item, the chance of a worrying answer is `risk`, but only a
    /// twentieth of it for an override question: otherwise every
    /// moderately worrying child would be red.
    fn draw_picks(&self, rng: &mut ChaCha8Rng, risk: f64) -> Vec<Option<usize>> {
        self.calm_first
            .iter()
            .enumerate()
            .map(|(item, order)| {
                let damping = if self.overrides.get(item).copied().unwrap_or(false) {
                    0.05
                } else {
                    1.0
                };
                let chance = (risk * damping).clamp(0.0, 1.0);
                let worrying = order.len() > 1 && rng.gen_bool(chance);
                // How worrying: the next option at low risk, further on
                // at higher risk.
                let worst = order.len().saturating_sub(1);
                let at = if worrying {
                    let reach = rng.gen_range(0.0..1.0) * risk * 2.0 * worst as f64;
                    (reach.floor() as usize).clamp(1, worst)
                } else {
                    0
                };
                order.get(at).copied()
            })
            .collect()
    }
}

/// The dates of a child's two most recent visits, latest first.
fn last_visit_dates(store: &Store, child_id: hutong_core::RowId) -> Result<Vec<chrono::NaiveDate>> {
    let mut dates: Vec<chrono::NaiveDate> = hutong_core::visits::for_child(store.conn(), child_id)?
        .into_iter()
        .filter(|v| v.active)
        .map(|v| v.visit_date)
        .collect();
    dates.dedup();
    dates.truncate(2);
    Ok(dates)
}

/// The answers for chosen option indices (one per item; `None` skips it).
fn answers_for(scale: &ScaleDef, picks: &[Option<usize>]) -> Vec<Answer> {
    scale
        .items
        .iter()
        .zip(picks)
        .filter_map(|(item, pick)| {
            let option = item.options.get((*pick)?)?;
            Some(Answer {
                item_id: item.id.clone(),
                code: option.code.clone(),
            })
        })
        .collect()
}

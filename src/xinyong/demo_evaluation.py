"""Demo evaluation: one run of the model in force over the demo subjects, so the evaluation pages, the
subjects' own pages and credit checks show grades; and one inspection plan drawn from them."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit.service import AuditActor
from xinyong.evaluation import inspection
from xinyong.evaluation import service as evaluation
from xinyong.profiles.loader import load_profile
from xinyong.settings import Settings

# A demo inspector pool (执法证号 姓名): made-up numbers and common names.
INSPECTORS = (
    "ZF370101 张伟",
    "ZF370102 王芳",
    "ZF370103 李娜",
    "ZF370104 刘洋",
    "ZF370105 陈静",
    "ZF370106 杨磊",
)
PLAN_SEED = "20261123"


def generate(
    factory: sessionmaker[Session], settings: Settings, *, actor: AuditActor
) -> evaluation.RunResult:
    """A fresh run each time the demo is generated (runs are kept, the latest is current), and a plan."""
    today = settings.clock.today()
    done = evaluation.run(
        factory,
        data_dir=settings.data_dir.resolve(),
        profile=load_profile(settings.profile, (settings.data_dir / "profiles",)),
        as_of=today,
        actor=actor,
        clock_now=settings.clock.now,
    )
    if done.subjects:
        wanted = inspection.request(
            title=f"{today.year}年市场主体双随机抽查（演示）",
            seed=PLAN_SEED,
            inspectors=INSPECTORS,
            today=today,
        )
        with factory() as session, session.begin():
            evaluation.plan(session, request=wanted, today=today, actor=actor, now=settings.clock.now())
    return done

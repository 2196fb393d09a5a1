//! The profile of a standard family: what it is, who uses it, how it is assured and renewed.

use serde::{Deserialize, Serialize};

use crate::ids::FrameworkId;

/// What kind of obligation a standard is. Drives the wording of comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Nature {
    VoluntaryAttestation,
    CertifiableManagementSystem,
    VoluntaryStandard,
    VoluntaryFramework,
    ContractualStandard,
    LawOrRegulation,
}

impl Nature {
    pub fn label(self) -> &'static str {
        match self {
            Self::VoluntaryAttestation => "Voluntary attestation",
            Self::CertifiableManagementSystem => "Certifiable management-system standard",
            Self::VoluntaryStandard => "Voluntary standard (not certifiable on its own)",
            Self::VoluntaryFramework => "Voluntary framework",
            Self::ContractualStandard => "Contractual industry standard",
            Self::LawOrRegulation => "Law or regulation",
        }
    }

    /// Is meeting it a legal duty where it applies?
    pub fn is_law(self) -> bool {
        self == Self::LawOrRegulation
    }
}

/// Controlled vocabulary of subjects a standard covers; shared themes become similarities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Theme {
    Governance,
    RiskManagement,
    DocumentedPolicies,
    AssetManagement,
    AccessControl,
    Cryptography,
    PhysicalSecurity,
    HrSecurity,
    TrainingAwareness,
    OperationsSecurity,
    LoggingMonitoring,
    VulnerabilityManagement,
    ChangeManagement,
    SecureDevelopment,
    SupplierManagement,
    IncidentResponse,
    BusinessContinuity,
    BreachNotification,
    Privacy,
    DataSubjectRights,
    LegalCompliance,
    InternalAudit,
    ManagementReview,
    ContinualImprovement,
    CorrectiveAction,
    QualityManagement,
    ProductSafety,
    DesignControls,
    PostMarketSurveillance,
    AiGovernance,
    AiRiskAssessment,
    DataQuality,
    Transparency,
    HumanOversight,
    ResilienceTesting,
    ThirdPartyRisk,
    NetworkSecurity,
    DataProtection,
    RecordKeeping,
    ExecutiveAccountability,
}

impl Theme {
    pub fn label(self) -> &'static str {
        match self {
            Self::Governance => "governance and assigned responsibilities",
            Self::RiskManagement => "risk assessment and treatment",
            Self::DocumentedPolicies => "documented policies and procedures",
            Self::AssetManagement => "asset inventory and ownership",
            Self::AccessControl => "access control",
            Self::Cryptography => "cryptography",
            Self::PhysicalSecurity => "physical and environmental security",
            Self::HrSecurity => "personnel security",
            Self::TrainingAwareness => "training and awareness",
            Self::OperationsSecurity => "secure operations",
            Self::LoggingMonitoring => "logging and monitoring",
            Self::VulnerabilityManagement => "vulnerability management",
            Self::ChangeManagement => "change management",
            Self::SecureDevelopment => "secure development",
            Self::SupplierManagement => "supplier management",
            Self::IncidentResponse => "incident response",
            Self::BusinessContinuity => "business continuity",
            Self::BreachNotification => "breach notification",
            Self::Privacy => "privacy",
            Self::DataSubjectRights => "rights of data subjects",
            Self::LegalCompliance => "legal and contractual compliance",
            Self::InternalAudit => "internal audit",
            Self::ManagementReview => "management review",
            Self::ContinualImprovement => "continual improvement",
            Self::CorrectiveAction => "nonconformity and corrective action",
            Self::QualityManagement => "quality management",
            Self::ProductSafety => "product safety",
            Self::DesignControls => "design and development controls",
            Self::PostMarketSurveillance => "post-market surveillance",
            Self::AiGovernance => "AI governance",
            Self::AiRiskAssessment => "AI risk and impact assessment",
            Self::DataQuality => "data quality",
            Self::Transparency => "transparency to affected people",
            Self::HumanOversight => "human oversight",
            Self::ResilienceTesting => "resilience testing",
            Self::ThirdPartyRisk => "third-party risk",
            Self::NetworkSecurity => "network security",
            Self::DataProtection => "data protection",
            Self::RecordKeeping => "record keeping",
            Self::ExecutiveAccountability => "accountability of top management",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PenaltyKind {
    Market,
    Legal,
    Contractual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisclosureKind {
    RestrictedReport,
    PublicCertificate,
    SelfDeclaration,
    Regulator,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EditionStatus {
    Current,
    Superseded,
    Withdrawn,
    Draft,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StructureElement {
    pub name: String,
    pub count: Option<u32>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Structure {
    pub summary: String,
    #[serde(default)]
    pub elements: Vec<StructureElement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub who: String,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssuranceForm {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assurance {
    pub assessor: String,
    pub basis: String,
    #[serde(default)]
    pub forms: Vec<AssuranceForm>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cycle {
    pub summary: String,
    pub validity: String,
    pub surveillance: String,
    pub renewal: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub phase: String,
    pub min_weeks: u32,
    pub max_weeks: u32,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Penalties {
    pub kind: PenaltyKind,
    pub summary: String,
    pub maximum: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    pub kind: DisclosureKind,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edition {
    pub version: String,
    pub published: String,
    pub status: EditionStatus,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub claim: String,
    pub fact: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// Everything a comparison page says about one standard, as structured data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub family: FrameworkId,
    pub name: String,
    pub full_name: String,
    pub publisher: String,
    pub current_version: String,
    pub nature: Nature,
    pub tagline: String,
    pub what_it_is: String,
    pub proves: String,
    pub audience: String,
    pub typical_adopters: String,
    pub key_features: Vec<String>,
    pub scope: String,
    pub industries: Vec<String>,
    pub regions: Vec<String>,
    pub testing: String,
    pub level_of_detail: String,
    pub customization: String,
    pub themes: Vec<Theme>,
    pub related: Vec<FrameworkId>,
    pub choose_when: Vec<String>,
    pub cost_drivers: Vec<String>,
    pub structure: Structure,
    pub users: Vec<User>,
    pub assurance: Assurance,
    pub cycle: Cycle,
    pub timeline: Vec<Phase>,
    pub penalties: Penalties,
    pub disclosure: Disclosure,
    pub editions: Vec<Edition>,
    #[serde(default)]
    pub facts: Vec<Fact>,
    #[serde(default)]
    pub faq: Vec<Faq>,
}

impl Profile {
    /// Typical end-to-end duration in weeks, summing the phases' ranges.
    pub fn timeline_weeks(&self) -> (u32, u32) {
        self.timeline
            .iter()
            .fold((0, 0), |(lo, hi), p| (lo + p.min_weeks, hi + p.max_weeks))
    }
}

/// Curated notes for one unordered pair of families.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairNotes {
    pub a: FrameworkId,
    pub b: FrameworkId,
    pub verdict: Option<String>,
    #[serde(default)]
    pub similarities: Vec<String>,
    #[serde(default)]
    pub combined_strategy: Vec<String>,
    #[serde(default)]
    pub notes: Vec<String>,
}

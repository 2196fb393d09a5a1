//! Control import from CSV or XLSX in the browser: the file is read and every row
//! checked first, and the page shows what would be added (or every problem, located)
//! before anything is applied. The uploaded file waits, bound to the account and the
//! program, until it is applied or 30 minutes pass.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use crosswalk_app::access::Action;
use crosswalk_app::program::ControlImport;
use crosswalk_core::program::Control;

use crate::api::Shared;
use crate::api::{PathOf, Problem};
use crate::pages::form_csrf;
use crate::state::Credentials;
use crate::web::{PageError, PageForm, Shell, html, program_page};

/// How long an uploaded list waits to be applied.
const KEEP: Duration = Duration::from_secs(30 * 60);

struct Pending {
    user: String,
    program: String,
    args: ControlImport,
    _file: tempfile::TempPath,
    at: Instant,
}

fn pending() -> &'static Mutex<HashMap<String, Pending>> {
    static P: OnceLock<Mutex<HashMap<String, Pending>>> = OnceLock::new();
    P.get_or_init(|| Mutex::new(HashMap::new()))
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    shell: Shell,
    title: String,
    preview: Option<(Vec<Control>, usize, usize, String)>,
    errors: Option<String>,
}

/// `GET /programs/{program}/controls/import`: the form.
pub async fn form(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/controls/import");
    program_page(
        st,
        creds,
        program,
        "controls",
        Action::Edit,
        path,
        |_, shell| {
            Ok(html(&ImportPage {
                title: "Import controls".into(),
                shell,
                preview: None,
                errors: None,
            }))
        },
    )
    .await
}

/// The form's fields and the spooled file.
struct Upload {
    fields: HashMap<String, String>,
    file: Option<(tempfile::TempPath, String)>,
}

async fn read(mut form: axum::extract::Multipart) -> Result<Upload, Problem> {
    let bad = |e: axum::extract::multipart::MultipartError| Problem::new(e.status(), e.body_text());
    let mut fields = HashMap::new();
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let original = field.file_name().unwrap_or_default().to_owned();
            let ext = std::path::Path::new(&original)
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .unwrap_or_default();
            if !matches!(ext.as_str(), "csv" | "xlsx") {
                return Err(Problem::bad("choose a .csv or .xlsx file"));
            }
            let bytes = field.bytes().await.map_err(bad)?;
            let spool = tempfile::Builder::new()
                .prefix("crosswalk-import-")
                .suffix(&format!(".{ext}"))
                .tempfile()
                .and_then(|mut f| {
                    std::io::Write::write_all(&mut f, &bytes)?;
                    Ok(f.into_temp_path())
                })
                .map_err(|e| Problem::bad(format!("cannot keep the upload: {e}")))?;
            file = Some((spool, original));
        } else {
            fields.insert(name, field.text().await.map_err(bad)?);
        }
    }
    Ok(Upload { fields, file })
}

fn random_key() -> Result<String, Problem> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| Problem::bad(format!("no randomness: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// `POST /programs/{program}/controls/import`: reads the list and shows what it would
/// add, or every problem with its row; nothing is applied yet.
pub async fn preview(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/controls/import");
    let form =
        crate::web::multipart_when_allowed(&st, &creds, &program, Action::Edit, &path, request)
            .await?;
    let upload = read(form).await?;
    program_page(
        st,
        creds,
        program,
        "controls",
        Action::Edit,
        path,
        move |s, shell| {
            let get = |k: &str| {
                upload
                    .fields
                    .get(k)
                    .map(|v| v.trim().to_owned())
                    .unwrap_or_default()
            };
            form_csrf(&shell, &get("csrf"), &headers)?;
            let (file, original) = upload
                .file
                .ok_or_else(|| Problem::bad("choose the file to import"))?;
            let opt = |k: &str| Some(get(k)).filter(|v| !v.is_empty());
            let args = ControlImport {
                file: file.to_path_buf(),
                sheet: opt("sheet"),
                header_row: get("header_row").parse().unwrap_or(1),
                id_column: opt("id_column").unwrap_or_else(|| "id".into()),
                title_column: opt("title_column").unwrap_or_else(|| "title".into()),
                description_column: opt("description_column"),
                owner_column: opt("owner_column"),
                status_column: opt("status_column"),
                frequency_column: opt("frequency_column"),
                requirements_column: opt("requirements_column"),
                framework: opt("framework"),
                split: opt("split").unwrap_or_else(|| ",".into()),
            };
            let page = match s.preview_controls(&args) {
                Ok(p) => {
                    let key = random_key()?;
                    let count = p.controls.len();
                    let mut shown = p.controls;
                    shown.truncate(100);
                    let mut all = pending()
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    all.retain(|_, v| v.at.elapsed() < KEEP);
                    all.insert(
                        key.clone(),
                        Pending {
                            user: shell.user.clone(),
                            program: shell.program.clone(),
                            args,
                            _file: file,
                            at: Instant::now(),
                        },
                    );
                    ImportPage {
                        title: "Import controls".into(),
                        shell,
                        preview: Some((shown, count, p.links, key)),
                        errors: None,
                    }
                }
                // The problems name the spooled file: name the one the user chose instead.
                Err(e) => ImportPage {
                    title: "Import controls".into(),
                    errors: Some(
                        e.to_string()
                            .replace(&file.to_string_lossy().to_string(), &original),
                    ),
                    shell,
                    preview: None,
                },
            };
            Ok(html(&page))
        },
    )
    .await
}

#[derive(Debug, serde::Deserialize)]
pub struct ApplyForm {
    #[serde(default)]
    csrf: String,
    upload: String,
}

/// `POST /programs/{program}/controls/import/apply`: applies a previewed list, whole or
/// not at all.
pub async fn apply(
    State(st): Shared,
    PathOf(program): PathOf<String>,
    creds: Credentials,
    headers: HeaderMap,
    form: PageForm<ApplyForm>,
) -> Result<Response, PageError> {
    let path = format!("/programs/{program}/controls/import");
    let back = format!("/programs/{program}/controls");
    program_page(
        st,
        creds,
        program,
        "controls",
        Action::Edit,
        path,
        move |s, shell| {
            let form = form.get()?;
            form_csrf(&shell, &form.csrf, &headers)?;
            let taken = pending()
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&form.upload)
                .filter(|p| {
                    p.user == shell.user && p.program == shell.program && p.at.elapsed() < KEEP
                })
                .ok_or_else(|| {
                    Problem::not_found(
                        "that upload has expired or was applied already: upload the file again",
                    )
                })?;
            let done = s.import_controls(&taken.args).map_err(Problem::from)?;
            Ok(Redirect::to(&format!(
                "{back}?imported={}&links={}",
                done.controls, done.links
            ))
            .into_response())
        },
    )
    .await
}

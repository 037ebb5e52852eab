use crate::outcome::SimResult;
pub fn html(_r: &SimResult) -> String {
    String::new()
}
